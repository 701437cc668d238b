"""The Python face of the library: closed form against numpy, predictions,
errors as exceptions with the library's words, traces as Python objects,
Ctrl-C, and the GIL released while training."""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest

import chainrule


def test_closed_form_agrees_with_numpy_lstsq():
    """Two independent least-squares solvers (our Householder QR with
    refinement, LAPACK's SVD-based gelsd) agree to ~1e-12 relative on a
    well-conditioned problem: 500 rows, 3 features, seed 11."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(500, 3)) * [1.0, 10.0, 0.1]
    y = 0.5 + x @ [2.0, -0.3, 7.0] + rng.normal(0.0, 0.2, 500)
    ours = chainrule.fit(x, y).theta
    a = np.column_stack([np.ones(500), x])
    reference, *_ = np.linalg.lstsq(a, y, rcond=None)
    assert np.max(np.abs(ours - reference) / np.abs(reference)) < 1e-12


def test_a_line_through_exact_points_is_found_and_predicts():
    # y = 1 + 2·x exactly (hand): θ = (1, 2); at x = 10, z1 = 1 + 2·10 = 21.
    x = np.array([0.0, 1.0, 2.0, 3.0])
    df = pd.DataFrame({"x": x, "y": 1.0 + 2.0 * x})
    exact = chainrule.fit(df, "y ~ x")
    assert exact.names == ["θ0", "x"]
    assert exact.theta.tolist() == [1.0, 2.0]
    assert exact.predict(pd.DataFrame({"x": [10.0]})).tolist() == [21.0]
    assert exact.predict(np.array([[10.0]])).tolist() == [21.0]
    # Gradient descent gets there to rounding (lr auto, standardized), and
    # tol=0 runs every epoch (the default stops at a gradient 1e-12 of its
    # size at θ = 0, here after one epoch).
    trained = chainrule.train(df, "y ~ x", epochs=2000, tol=0)
    assert abs(trained.predict({"x": [10.0]})[0] - 21.0) < 1e-7
    assert trained.history.shape == (2000,)
    assert trained.stop == "epochs"


def test_formulas_transform_named_columns():
    # y = x² exactly (hand): the raw powers give θ = (0, 0, 1).
    x = np.linspace(-1.0, 1.0, 9)
    theta = chainrule.fit({"x": x, "y": x**2}, "y ~ poly(x, 2, raw = TRUE)").theta
    assert np.allclose(theta, [0.0, 0.0, 1.0], atol=1e-14)


def test_a_tolerance_stops_early_and_says_so():
    # The gradient falls below 1e-6 of its size at θ = 0 long before
    # 100,000 epochs (plain descent at lr auto, standardized features).
    x = np.arange(10.0)
    t = chainrule.train(x, 3.0 * x + (-1.0) ** x, tol=1e-6, epochs=100_000)
    assert t.stop == "converged"
    assert len(t.history) < 100_000


def test_save_and_load_keep_theta_bits(tmp_path):
    x = np.arange(6.0)
    t = chainrule.train(x, 1.0 + 0.5 * x, epochs=30)
    t.save(tmp_path / "m.json")
    back = chainrule.load(tmp_path / "m.json")
    assert [v.hex() for v in back.theta] == [v.hex() for v in t.theta]
    assert back.model_file["formula"] == "y ~ x"
    assert "θ0" in back.summary()


def test_text_columns_are_refused_by_name():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "city": ["a", "b", "c"], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match='column "city" holds'):
        chainrule.fit(df, "y ~ x + city")
    # A text column the formula does not read is left alone.
    assert chainrule.fit(df, "y ~ x").theta.shape == (2,)
    with pytest.raises(ValueError, match='column "city"'):
        chainrule.fit(df.astype({"city": "category"}), "y ~ .")


def test_missing_values_are_refused_with_column_and_row():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(chainrule.InputError, match=r'column "x" is NaN at row 2'):
        chainrule.train(df, "y ~ x")
    # A matrix is lent as is; the solver, or a failed or non-finite run,
    # finds the cell.
    x = np.array([[1.0, 2.0], [3.0, np.inf]])
    with pytest.raises(ValueError, match=r'row 2, column "x2": the value is not a finite'):
        chainrule.fit(x, np.array([1.0, 2.0]))
    for mode in ["vectorized", "sample"]:
        with pytest.raises(ValueError, match=r'column "x2" is inf at row 2'):
            chainrule.train(x, np.array([1.0, 2.0]), mode=mode, lr=0.01)
    with pytest.raises(ValueError, match=r'column "y" is NaN at row 1'):
        chainrule.train(np.ones((2, 1)), np.array([np.nan, 1.0]), epochs=1)


def test_library_errors_keep_their_messages():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 4.0]})
    with pytest.raises(chainrule.InputError, match='names column "z".*the columns are: x, y'):
        chainrule.fit(df, "y ~ z")
    with pytest.raises(chainrule.ChainruleError):
        chainrule.train(df, "y ~ x", mode="sideways")
    with pytest.raises(ValueError, match="lr=-1"):
        chainrule.train(df, "y ~ x", lr=-1.0)
    # lr = 100 ≫ 2/λmax: (2/n)·AᵀA = (2/3)·[[3, 6], [6, 14]] has λmax ≈ 11.09
    # (trace 34/3, determinant 8/3), so steps above ≈ 0.18 grow without bound.
    with pytest.raises(chainrule.TrainingError, match="diverged"):
        chainrule.train(df, "y ~ x", lr=100.0, epochs=50)
    assert issubclass(chainrule.TrainingError, chainrule.ChainruleError)
    with pytest.raises(ValueError, match="X has 3 rows but y has 2"):
        chainrule.fit(np.ones((3, 1)), np.ones(2))
    with pytest.raises(ValueError, match="only be fitted by a formula that takes its columns"):
        chainrule.fit(np.ones((3, 1)), y=np.ones(3), formula="y ~ poly(x, 2)")
    fitted = chainrule.fit(df, "y ~ x")
    with pytest.raises(ValueError, match="formula names column \"x\""):
        fitted.predict({"w": [1.0]})
    with pytest.raises(chainrule.InputError):
        chainrule.load(os.devnull)


def test_grad_returns_the_trace_as_python_objects():
    # examples/one_sample.expr by hand: z1 = θ·x = 1, z2 = y − z1 = 2,
    # L = z2² = 4, ∂L/∂θ = 2·z2·(−1)·x = −8.
    t = chainrule.grad("x = 2; y = 3; θ = 0.5; z1 = θ * x; z2 = y - z1; L = z2^2")
    assert isinstance(t, dict) and isinstance(t["nodes"], list)
    assert t.find("L")["value"] == [4.0]
    assert t.find("θ")["grad"] == [-8.0]
    assert t.find("θ")["kind"] == "param"
    z2 = t.find("z2")
    # ∂L/∂z2 = 2·z2 = 4: the local partial on the edge z2 → L.
    (edge,) = t.find("L")["edges"]
    assert edge["from"] == z2["id"] and edge["local"]["data"] == [4.0]
    assert "<svg" in t._repr_html_()
    with pytest.raises(chainrule.InputError, match="program:1"):
        chainrule.grad("x = = 2")


def test_explain_draws_a_lesson_and_rows_of_data():
    step = chainrule.explain("line", mode="unrolled")
    assert step.svg().startswith("<svg")
    assert "$$" in step.markdown() and "```math" not in step.markdown()
    assert "z1(1)" in step.text() or "z1⁽¹⁾" in step.text()
    # By hand: at θ = 0 on one row x = 2, y = 3, ∂L/∂θ = −2·y·x = −12.
    one = chainrule.explain("y ~ x - 1", {"x": [2.0, 5.0], "y": [3.0, 1.0]}, rows=range(0, 1))
    assert one.trace.find("θ")["grad"] == [-12.0]
    assert "<svg" in one._repr_html_()


def test_a_trained_result_draws_its_j_curve_and_first_step(tmp_path):
    t = chainrule.train(np.arange(5.0), np.arange(5.0), mode="unrolled", epochs=10)
    assert t.j_svg().startswith("<svg") and "J by epoch" in t.j_svg()
    page = t._repr_html_()
    assert "<pre>" in page and page.count("<svg") == 2
    # The first step is the report's: rows 1–2 (unrolled) at θ = 0, so by
    # hand ∂L(2)/∂θ1 = −2·y·x = −2·1·1 on row 2 and J's gradient is the mean.
    step = t.first_step
    assert step.trace.find("θ1")["grad"] == [(-2.0 * 0 * 0 - 2.0 * 1 * 1) / 2]
    assert "$$" in t._repr_markdown_()
    t.save(tmp_path / "m.json")
    assert chainrule.load(tmp_path / "m.json").first_step is None


def long_run():
    """Sample mode on 20,000 rows for 10,000 epochs: 2·10⁸ one-row steps,
    minutes of work, which the tests below never wait out (tol=0: every
    epoch runs, however small the gradient gets)."""
    x = np.linspace(0.0, 1.0, 20_000)
    return dict(data=x, formula=2.0 * x, mode="sample", lr=0.01, epochs=10_000, tol=0.0)


def test_ctrl_c_returns_the_fit_so_far():
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = chainrule.train(**long_run())
    timer.join()
    assert t.stop == "interrupted"
    assert any("interrupted after" in str(w.message) for w in caught)
    assert np.isfinite(t.theta).all()


def test_training_releases_the_gil():
    """Another Python thread keeps running while Rust trains: it stamps the
    time of every turn of its loop, and turns land inside the call."""
    stamps = []
    done = threading.Event()

    def count():
        while not done.is_set():
            stamps.append(time.perf_counter())

    worker = threading.Thread(target=count)
    worker.start()
    stop = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    stop.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        chainrule.train(**long_run())
        end = time.perf_counter()
    stop.join()
    done.set()
    worker.join()
    # With the GIL held through the call, no turn could fall strictly inside
    # it (away from its first and last 0.1 s, where the GIL changes hands);
    # free, the loop turns ~10⁶ times a second. 1,000 is far between the two.
    inside = [t for t in stamps if start + 0.1 < t < end - 0.1]
    assert end - start > 0.3 and len(inside) > 1_000


def test_fit_csv_reads_files_as_fit_reads_a_table(tmp_path):
    """fit_csv on a file, and on the file cut in two, gives fit(df)'s θ bit
    for bit (the Rust reader parses the same cells; one pass answers the
    well-conditioned plane to the last digit, as the in-memory fit)."""
    rng = np.random.default_rng(5)
    x1, x2 = rng.uniform(-2, 2, 4000), rng.uniform(-2, 2, 4000)
    df = pd.DataFrame({"x1": x1, "x2": x2, "y": 1 + 2 * x1 - 3 * x2 + rng.normal(0, 0.1, 4000)})
    whole = tmp_path / "plane.csv"
    df.to_csv(whole, index=False, float_format="%.17g")
    df[:1500].to_csv(tmp_path / "a.csv", index=False, float_format="%.17g")
    df[1500:].to_csv(tmp_path / "b.csv", index=False, float_format="%.17g")
    expected = chainrule.fit(pd.read_csv(whole), "y ~ x1 + x2").theta
    assert chainrule.fit_csv(whole, "y ~ x1 + x2").theta.tolist() == expected.tolist()
    parts = [tmp_path / "a.csv", str(tmp_path / "b.csv")]
    assert chainrule.fit_csv(parts, "y ~ x1 + x2").theta.tolist() == expected.tolist()
    with pytest.raises(chainrule.ChainruleError, match="nope.csv"):
        chainrule.fit_csv(tmp_path / "nope.csv", "y ~ x1")

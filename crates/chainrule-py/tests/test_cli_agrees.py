"""The binding is a second face of the CLI's call: the same data and flags
give the same θ, bit for bit (both run LinearRegression on the same doubles)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import chainrule
from conftest import cli_json, run_cli, write_csv


def cli_theta(cli, csv, formula, *flags) -> list:
    out = cli_json(cli, "train", csv, "--formula", formula, *flags)
    return [p["value"] for p in out["theta"]]


def bits(values) -> list:
    return [float(v).hex() for v in values]


# Each case: the CLI's flags and the same settings as train()'s keywords.
CASES = [
    (["--mode", "unrolled", "--lr", "0.01", "--epochs", "3", "--seed", "5"],
     dict(mode="unrolled", lr=0.01, epochs=3, seed=5)),
    (["--mode", "sample", "--lr", "0.005", "--epochs", "2", "--seed", "1"],
     dict(mode="sample", lr=0.005, epochs=2, seed=1)),
    (["--mode", "vectorized", "--epochs", "50"], dict(mode="vectorized", epochs=50)),
    (["--mode", "vectorized", "--engine", "graph", "--epochs", "20"],
     dict(mode="vectorized", engine="graph", epochs=20)),
    (["--mode", "vectorized", "--batch-size", "16", "--epochs", "4", "--seed", "9",
      "--standardize"],
     dict(mode="vectorized", batch_size=16, epochs=4, seed=9, standardize=True)),
    (["--mode", "unrolled", "--batch-size", "4", "--no-shuffle", "--epochs", "2"],
     dict(mode="unrolled", batch_size=4, shuffle=False, epochs=2)),
]


@pytest.mark.parametrize("flags,settings", CASES)
def test_dataframe_training_reproduces_the_cli_bit_for_bit(cli, plane, flags, settings):
    df = pd.DataFrame(plane["columns"])
    expected = cli_theta(cli, plane["csv"], "y ~ x1 + x2", *flags)
    got = chainrule.train(df, "y ~ x1 + x2", **settings).theta
    assert bits(got) == bits(expected)


def test_one_feature_unrolled_as_the_issue_asks(cli, plane):
    """`train(df, "y ~ x", mode="unrolled")` with the CLI's defaults otherwise
    (lr auto, 1000 epochs, batch 2, seed 0)."""
    df = pd.DataFrame({"x": plane["columns"]["x1"], "y": plane["columns"]["y"]})
    csv = write_csv(plane["csv"].with_name("line.csv"), {"x": df["x"], "y": df["y"]})
    expected = cli_theta(cli, csv, "y ~ x", "--mode", "unrolled")
    got = chainrule.train(df, "y ~ x", mode="unrolled").theta
    assert bits(got) == bits(expected)


def test_matrix_training_reproduces_the_cli_bit_for_bit(cli, plane):
    c = plane["columns"]
    x = np.column_stack([c["x1"], c["x2"]])
    for flags, settings in CASES:
        expected = cli_theta(cli, plane["csv"], "y ~ x1 + x2", *flags)
        got = chainrule.train(x, c["y"], **settings).theta
        assert bits(got) == bits(expected), flags


def test_a_fortran_ordered_matrix_is_copied_into_rows_with_the_same_result(cli, plane):
    c = plane["columns"]
    x = np.asfortranarray(np.column_stack([c["x1"], c["x2"]]))
    expected = cli_theta(cli, plane["csv"], "y ~ x1 + x2", "--epochs", "30")
    assert bits(chainrule.train(x, c["y"], epochs=30).theta) == bits(expected)


def test_closed_form_reproduces_the_cli_bit_for_bit(cli, plane):
    out = cli_json(cli, "fit", plane["csv"], "--formula", "y ~ x1 + x2")
    expected = [p["value"] for p in out["theta"]]
    c = plane["columns"]
    by_table = chainrule.fit(pd.DataFrame(c), "y ~ x1 + x2")
    by_matrix = chainrule.fit(np.column_stack([c["x1"], c["x2"]]), c["y"])
    errors = [p["std_error"] for p in out["theta"]]
    if not out["decimal_refined"]:
        assert bits(by_table.theta) == bits(expected)
        assert bits(by_matrix.theta) == bits(expected)
        assert bits(by_table.std_errors) == bits(errors)
        return
    # The CLI refitted on the CSV's cells as written (decimals), which
    # differ from the f64 columns by up to half an ulp each; θ moves by
    # about κ·ε, here a few ulps: the library's answer for the f64 data
    # must be that close.
    assert by_table.theta == pytest.approx(expected, rel=1e-14, abs=0)
    assert bits(by_matrix.theta) == bits(by_table.theta)
    assert by_table.std_errors == pytest.approx(errors, rel=1e-13, abs=0)


def test_a_model_saved_by_either_side_loads_in_the_other(cli, plane, tmp_path):
    cli_model = tmp_path / "cli.json"
    run_cli(cli, "train", plane["csv"], "--formula", "y ~ x1 + x2", "--epochs", "40",
            "--out", cli_model)
    df = pd.DataFrame(plane["columns"])
    loaded = chainrule.load(cli_model)
    ours = chainrule.train(df, "y ~ x1 + x2", epochs=40)
    assert bits(loaded.theta) == bits(ours.theta)
    assert bits(loaded.history) == bits(ours.history)

    py_model = tmp_path / "py.json"
    ours.save(py_model)
    # The CLI's predict prints each prediction in shortest round-trip form,
    # the last column; Python's float() reads it back correctly rounded.
    printed = run_cli(cli, "predict", py_model, plane["csv"]).splitlines()
    assert printed[0].split(",")[-1] == "y_pred"
    column = [float(line.split(",")[-1]) for line in printed[1:]]
    assert bits(column) == bits(ours.predict(df))


def test_reports_are_the_cli_pages_byte_for_byte(cli, plane, tmp_path):
    run_cli(cli, "report", "--out", tmp_path / "cli.html")
    chainrule.report(tmp_path / "py.html")
    assert (tmp_path / "py.html").read_bytes() == (tmp_path / "cli.html").read_bytes()

    csv = plane["csv"]
    run_cli(cli, "report", "--data", csv, "--formula", "y ~ x1 + x2", "--mode", "unrolled",
            "--epochs", "5", "--out", tmp_path / "cli-data.html")
    chainrule.report(tmp_path / "py-data.html", pd.DataFrame(plane["columns"]), "y ~ x1 + x2",
                     mode="unrolled", epochs=5, source=str(csv))
    page = (tmp_path / "py-data.html").read_bytes()
    assert page == (tmp_path / "cli-data.html").read_bytes()
    assert b"<svg" in page

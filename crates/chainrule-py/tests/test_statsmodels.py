"""`chainrule fit --json` beside statsmodels' OLS on the same doubles: an
independent implementation of the same conventions (residual df n − rank,
model df rank − 1, uncentered statistics without an intercept)."""

from __future__ import annotations

import numpy as np
import statsmodels.api as sm

from conftest import cli_json, write_csv


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def test_inference_matches_statsmodels(cli, tmp_path) -> None:
    # A noisy plane (seed 1, noise 1.5) so that p-values are not all
    # underflowing: the intercept's t is small enough to test the tail.
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=200), rng.normal(size=200)
    y = 0.2 + 2.0 * x1 - 3.0 * x2 + rng.normal(scale=1.5, size=200)
    path = write_csv(tmp_path / "d.csv", {"x1": x1, "x2": x2, "y": y})
    v = cli_json(cli, "fit", path, "--formula", "y ~ x1 + x2")
    m = sm.OLS(y, sm.add_constant(np.column_stack([x1, x2]))).fit()
    ci = m.conf_int(alpha=0.05)
    for k, p in enumerate(v["theta"]):
        assert rel(p["value"], m.params[k]) < 1e-12
        assert rel(p["std_error"], m.bse[k]) < 1e-11
        # The t and F tails come from different code (our continued
        # fraction, scipy's cephes); 1e-10 is far below what either prints.
        assert rel(p["p_value"], m.pvalues[k]) < 1e-10
        assert rel(p["conf_low"], ci[k][0]) < 1e-12
        assert rel(p["conf_high"], ci[k][1]) < 1e-12
    assert (v["df_model"], v["df_resid"]) == (m.df_model, m.df_resid)
    for ours, theirs in [
        (v["f_statistic"], m.fvalue),
        (v["f_p_value"], m.f_pvalue),
        (v["log_likelihood"], m.llf),
        (v["aic"], m.aic),
        (v["bic"], m.bic),
        (v["adj_r_squared"], m.rsquared_adj),
        (v["r_squared"], m.rsquared),
    ]:
        assert rel(ours, theirs) < 1e-10, (ours, theirs)


def test_no_intercept_is_uncentered_as_in_statsmodels(cli, tmp_path) -> None:
    # y = 2·x + noise through the origin (seed 2): statsmodels without a
    # constant reports the uncentered R², F and adjusted R².
    rng = np.random.default_rng(2)
    x = rng.uniform(1.0, 5.0, size=50)
    y = 2.0 * x + rng.normal(scale=0.5, size=50)
    path = write_csv(tmp_path / "o.csv", {"x": x, "y": y})
    v = cli_json(cli, "fit", path, "--formula", "y ~ x - 1")
    m = sm.OLS(y, x[:, None]).fit()
    assert (v["df_model"], v["df_resid"]) == (m.df_model, m.df_resid)
    for ours, theirs in [
        (v["r_squared"], m.rsquared),
        (v["adj_r_squared"], m.rsquared_adj),
        (v["f_statistic"], m.fvalue),
        (v["aic"], m.aic),
    ]:
        assert rel(ours, theirs) < 1e-10, (ours, theirs)

//! The closed form and its inference against statsmodels 0.15.0 on the
//! stack-loss data (tests/data/stackloss, README there). Reference numbers
//! were printed by this Python (numpy repr, 17 significant digits):
//!
//! ```python
//! import statsmodels.api as sm
//! d = sm.datasets.stackloss.load_pandas().data
//! y = d['STACKLOSS']; X = sm.add_constant(d[['AIRFLOW', 'WATERTEMP', 'ACIDCONC']])
//! r = sm.OLS(y, X).fit()                        # and fit(cov_type='HC0') … 'HC3'
//! w = sm.WLS(y, X, weights=d['WATERTEMP']).fit()  # and .fit(cov_type='HC3')
//! r.params, r.bse, r.pvalues, r.conf_int(0.05), r.rsquared, r.rsquared_adj,
//! r.fvalue, r.f_pvalue, r.llf, r.aic, r.bic, r.condition_number
//! ```
//!
//! Targets (issue 12): ≥ 10 matching digits for estimates, standard
//! errors, intervals, R², F, AIC/BIC and HC0–HC3; p-values to 1e-12
//! absolute.

use chainrule::data::{read_csv, ReadOptions};
use chainrule::model::formula::Formula;
use chainrule::solve::{least_squares_with, CovType, DesignRows, FitOptions, Solution};
use std::path::PathBuf;

const FORMULA: &str = "STACKLOSS ~ AIRFLOW + WATERTEMP + ACIDCONC";

struct Reference {
    params: [f64; 4],
    bse: [f64; 4],
    pvalues: [f64; 4],
    conf_int: [[f64; 2]; 4],
    rsquared: f64,
    rsquared_adj: f64,
    fvalue: f64,
    f_pvalue: f64,
    llf: f64,
    aic: f64,
    bic: f64,
    condition_number: f64,
}

const OLS_PARAMS: [f64; 4] = [
    -39.919674420124025,
    0.7156402004852846,
    1.2952861243885716,
    -0.1521225191486526,
];
const OLS_FIT: (f64, f64, f64, f64, f64) = (
    0.9135769044606818,
    0.8983257699537434,
    -52.28779550239973,
    112.57559100479946,
    116.75368075569315,
);

fn ols(
    bse: [f64; 4],
    pvalues: [f64; 4],
    conf_int: [[f64; 2]; 4],
    fvalue: f64,
    f_pvalue: f64,
) -> Reference {
    let (rsquared, rsquared_adj, llf, aic, bic) = OLS_FIT;
    Reference {
        params: OLS_PARAMS,
        bse,
        pvalues,
        conf_int,
        rsquared,
        rsquared_adj,
        fvalue,
        f_pvalue,
        llf,
        aic,
        bic,
        condition_number: 1811.5281229173838,
    }
}

fn fit(weights: bool, cov: CovType) -> Solution {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/stackloss/stackloss.csv");
    let (data, _) = read_csv(&path, &ReadOptions::default()).unwrap();
    let design = Formula::parse(FORMULA).unwrap().design(&data).unwrap();
    let w = data.column("WATERTEMP").unwrap().to_vec();
    let options = FitOptions {
        weights: weights.then_some(&w[..]),
        cov,
        ..FitOptions::default()
    };
    least_squares_with(DesignRows::of(&design), &options).unwrap()
}

/// Digits of agreement, as NIST's LRE.
fn digits(got: f64, want: f64) -> f64 {
    chainrule::numeric::lre(got, want)
}

fn check(label: &str, s: &Solution, r: &Reference) {
    let inf = s.inference(0.95);
    let mut bad = Vec::new();
    let mut want = |what: String, got: f64, reference: f64| {
        let d = digits(got, reference);
        if d < 10.0 {
            bad.push(format!("{what}: {got} vs {reference} ({d:.1} digits)"));
        }
    };
    for k in 0..4 {
        want(format!("θ{k}"), s.theta[k], r.params[k]);
        want(format!("SE{k}"), s.std_errors[k], r.bse[k]);
        want(format!("low{k}"), inf.conf_low[k], r.conf_int[k][0]);
        want(format!("high{k}"), inf.conf_high[k], r.conf_int[k][1]);
    }
    want("R²".into(), s.r_squared, r.rsquared);
    want("adj R²".into(), inf.adj_r_squared, r.rsquared_adj);
    want("F".into(), inf.f_statistic, r.fvalue);
    want("llf".into(), inf.log_likelihood, r.llf);
    want("AIC".into(), inf.aic, r.aic);
    want("BIC".into(), inf.bic, r.bic);
    want(
        "condition number".into(),
        s.condition_number,
        r.condition_number,
    );
    for k in 0..4 {
        if (inf.p_values[k] - r.pvalues[k]).abs() > 1e-12 {
            bad.push(format!("p{k}: {} vs {}", inf.p_values[k], r.pvalues[k]));
        }
    }
    if (inf.f_p_value - r.f_pvalue).abs() > 1e-12 {
        bad.push(format!("F p: {} vs {}", inf.f_p_value, r.f_pvalue));
    }
    assert!(bad.is_empty(), "{label}: {bad:#?}");
    assert_eq!((inf.df_model, inf.df_resid), (3, 17), "{label}");
}

#[test]
fn ols_matches_statsmodels() {
    let r = ols(
        [
            11.895996850644247,
            0.1348581853553723,
            0.3680242652727039,
            0.15629404324862103,
        ],
        [
            0.0037503068322601845,
            5.7990247242527076e-05,
            0.002630054396488982,
            0.34404609669643565,
        ],
        [
            [-65.01803388946932, -14.821314950778731],
            [0.43111430022418745, 1.0001661007463818],
            [0.5188227964955604, 2.071749452281583],
            [-0.4818741263171472, 0.177629088019842],
        ],
        59.902225899656884,
        3.016327243421157e-09,
    );
    let s = fit(false, CovType::Nonrobust);
    check("OLS", &s, &r);
    // statsmodels' scale = σ² = RSS/df_resid = 10.5194095057858.
    assert!(digits(s.residual_sd.powi(2), 10.5194095057858) >= 10.0);
    // cov_params' diagonal is bse².
    assert!(digits(s.cov_params[5], 0.1348581853553723f64.powi(2)) >= 10.0);
}

#[test]
fn hc0_to_hc3_match_statsmodels() {
    let cases = [
        (
            CovType::HC0,
            [
                6.411649464840935,
                0.1589442605294957,
                0.4465276886346014,
                0.08642947556960379,
            ],
            [
                4.781395863028826e-10,
                6.717134975775324e-06,
                0.0037221506906815294,
                0.07839477724907937,
            ],
            [
                [-52.48627645270777, -27.35307238754028],
                [0.4041151742981218, 1.0271652266724476],
                [0.4201079365648376, 2.1704643122123057],
                [-0.3215211784677605, 0.017276140170455284],
            ],
            81.92103566705201,
            2.6011947525980737e-10,
        ),
        (
            CovType::HC1,
            [
                7.12614996317373,
                0.17665666885409514,
                0.49628777888880693,
                0.09606099140710535,
            ],
            [
                2.12067244843007e-08,
                5.0994228851361466e-05,
                0.009055554476383364,
                0.11328398420619325,
            ],
            [
                [-53.88667169637597, -25.95267714387208],
                [0.3693994919024395, 1.0618809090681298],
                [0.32257995179913224, 2.267992296978011],
                [-0.3403986026257907, 0.03615356432848549],
            ],
            66.31702887332784,
            1.3694193897966695e-09,
        ),
        (
            CovType::HC2,
            [
                7.557599636248814,
                0.18392751738081428,
                0.5118433277215748,
                0.10164394846641626,
            ],
            [
                1.2774122106800273e-07,
                9.988064778815599e-05,
                0.011385785585645751,
                0.13449177117805497,
            ],
            [
                [-54.732297516744715, -25.107051323503335],
                [0.35514889065302385, 1.0761315103175455],
                [0.29209163632715307, 2.29848061244999],
                [-0.3513409973892737, 0.04709595909196854],
            ],
            62.42188615809673,
            2.1925677356745715e-09,
        ),
        (
            CovType::HC3,
            [
                9.001105108949412,
                0.21342119811651544,
                0.5887537967320775,
                0.12058022900430226,
            ],
            [
                9.208305538160762e-06,
                0.0007988804706830555,
                0.02780354852015268,
                0.2070972280741492,
            ],
            [
                [-57.56151625472435, -22.277832585523697],
                [0.29734233863952675, 1.1339380623310427],
                [0.14134988703248386, 2.4492223617446593],
                [-0.388455425244677, 0.08421038694737185],
            ],
            47.18345567200387,
            1.8667764815970568e-08,
        ),
    ];
    for (cov, bse, pvalues, conf_int, fvalue, f_pvalue) in cases {
        let s = fit(false, cov);
        check(
            cov.as_str(),
            &s,
            &ols(bse, pvalues, conf_int, fvalue, f_pvalue),
        );
    }
}

#[test]
fn weighted_least_squares_matches_statsmodels_wls() {
    let wls = |bse, pvalues, conf_int, fvalue, f_pvalue| Reference {
        params: [
            -39.314394501705955,
            0.7322292392647217,
            1.315174146841337,
            -0.17583588517997606,
        ],
        bse,
        pvalues,
        conf_int,
        rsquared: 0.9199965829042432,
        rsquared_adj: 0.9058783328285215,
        fvalue,
        f_pvalue,
        llf: -52.820517926903364,
        aic: 113.64103585380673,
        bic: 117.81912560470042,
        condition_number: 1878.0315333833703,
    };
    let plain = wls(
        [
            12.47800656922777,
            0.1355432935013116,
            0.383741584619411,
            0.16327155041398128,
        ],
        [
            0.005834274038134271,
            4.766227195243958e-05,
            0.0032126389621655546,
            0.2965471535480005,
        ],
        [
            [-65.64068714176915, -12.988101861642761],
            [0.4462578871648213, 1.0182005913646222],
            [0.5055501737488621, 2.1247981199338115],
            [-0.5203087456603913, 0.1686369753004392],
        ],
        65.1636412423591,
        1.569986197035323e-09,
    );
    let s = fit(true, CovType::Nonrobust);
    check("WLS", &s, &plain);
    // statsmodels' scale = Σw·e²/df_resid = 231.05131332951333.
    assert!(digits(s.residual_sd.powi(2), 231.05131332951333) >= 10.0);
    let hc3 = wls(
        [
            9.17249962844242,
            0.21361807415964912,
            0.6167746564577036,
            0.13155841315766656,
        ],
        [
            1.8182433081064473e-05,
            0.0006086068424869122,
            0.032978789326032654,
            0.18136587487248634,
        ],
        [
            [-57.29216342166013, -21.336625581751782],
            [0.3135455074650031, 1.1509129710644403],
            [0.10631803360717318, 2.5240302600755005],
            [-0.43368563683224287, 0.08201386647229075],
        ],
        48.48810278403071,
        1.5192387085670016e-08,
    );
    check("WLS HC3", &fit(true, CovType::HC3), &hc3);
}

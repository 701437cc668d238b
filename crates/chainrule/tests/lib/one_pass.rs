//! The one-pass closed form (`solve::GramStats`, `source::fit_one_pass`):
//! the same answer as the in-memory referee wherever it answers, the same
//! bits on any number of threads, and no answer where it could be off.

use std::path::Path;

use chainrule::data::{synth, write_csv, Dataset, ReadOptions, SynthModel};
use chainrule::model::formula::Formula;
use chainrule::model::Batch;
use chainrule::solve::{least_squares, GramStats, Solution};
use chainrule::source::fit_one_pass;
use chainrule::train::Quiet;

use super::nist_fit::{against_exact, design, json, SETS};

/// GramStats of `design` summed in pieces of `piece` rows, then merged.
fn gram_in_pieces(design: &chainrule::data::Design, piece: usize) -> GramStats {
    let p = design.d + usize::from(design.intercept);
    let mut total = GramStats::empty(p, design.intercept);
    let all = Batch::new(&design.x, &design.y, design.d);
    for start in (0..design.n).step_by(piece) {
        let mut g = GramStats::empty(p, design.intercept);
        g.add_batch(all.slice(start, (start + piece).min(design.n)));
        total.merge(&g);
    }
    total
}

fn solve(g: &GramStats, design: &chainrule::data::Design) -> Option<Solution> {
    g.solve(&design.response, &design.names, design.intercept)
        .unwrap()
}

/// Every NIST set: where the Gram route answers, it is held to what the
/// in-memory referee is held to against the exact answer for the f64 data
/// (tests/data/nist/exact_f64.json): 15 digits of θ, σ and R², 13 of the
/// standard errors. The sets of moderate condition must be answered (else
/// the test would pass by declining everything); Filip must be declined
/// (κ(A·S)² times G's rounding is far above an ulp), and so must Wampler1
/// and 2, which fit exactly: their RSS is rounding noise, below what G
/// resolves.
#[test]
fn nist_sets_are_answered_to_the_last_digit_or_declined() {
    let exact = json("exact_f64.json");
    let mut answered = Vec::new();
    for (name, degree, formula) in SETS {
        let design = design(name, degree, formula);
        for piece in [1, 7, design.n] {
            let Some(s) = solve(&gram_in_pieces(&design, piece), &design) else {
                continue;
            };
            let e = against_exact(&s, &exact[name]["as_read"]);
            assert!(
                e.theta >= 14.9 && e.sd >= 14.9 && e.r2 >= 14.9 && e.se >= 13.0,
                "{name}, pieces of {piece}: {e:?}"
            );
            answered.push(name);
        }
    }
    for name in ["Norris", "NoInt1", "NoInt2", "Longley", "Wampler5"] {
        assert!(answered.contains(&name), "{name} declined: {answered:?}");
    }
    eprintln!("answered by G: {answered:?}");
    for name in ["Filip", "Wampler1", "Wampler2"] {
        assert!(!answered.contains(&name), "{name} answered");
    }
}

/// A plane with noise, written as a CSV of `n` rows.
fn plane_csv(dir: &Path, n: usize) -> std::path::PathBuf {
    let (data, _) = synth(SynthModel::Plane, n, 0.1, 3).unwrap();
    let path = dir.join("plane.csv");
    write_csv(&path, &data).unwrap();
    path
}

fn in_memory(path: &Path, formula: &Formula) -> Solution {
    let data = Dataset::from_csv(path).unwrap();
    least_squares(&formula.design(&data).unwrap()).unwrap()
}

/// `fit_one_pass` on one file.
fn one_pass(path: &Path, formula: &Formula) -> Option<(Solution, chainrule::data::Design)> {
    let paths = [path.to_path_buf()];
    fit_one_pass(&paths, formula, &ReadOptions::default(), &mut Quiet).unwrap()
}

/// Relative difference in units of f64's ε.
fn ulps(a: f64, b: f64) -> f64 {
    (a - b).abs() / (f64::EPSILON * b.abs())
}

/// RSS, TSS, R², σ and every standard error of `s` within `most` ulps of
/// `reference`'s.
fn assert_within_ulps(s: &Solution, reference: &Solution, most: f64) {
    let pairs = [
        (s.rss, reference.rss),
        (s.tss, reference.tss),
        (s.r_squared, reference.r_squared),
        (s.residual_sd, reference.residual_sd),
    ];
    let errors = s
        .std_errors
        .iter()
        .copied()
        .zip(reference.std_errors.clone());
    for (a, b) in pairs.into_iter().chain(errors) {
        assert!(ulps(a, b) <= most, "{a} vs {b}");
    }
}

/// 20,000 rows (about 1.1 MB: two blocks, 18 pieces): θ bit for bit the
/// in-memory referee's, the statistics within a few ulps (both are
/// rounded once from double-double; the referee's from the rows, this from
/// G), and the same bits on 1, 2 and 3 threads.
#[test]
fn a_csv_in_one_pass_is_the_in_memory_fit_on_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = plane_csv(dir.path(), 20_000);
    let formula = Formula::parse("y ~ x1 + x2").unwrap();
    let reference = in_memory(&path, &formula);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            fit_one_pass(
                std::slice::from_ref(&path),
                &formula,
                &ReadOptions::default(),
                &mut Quiet,
            )
        })
        .unwrap()
        .expect("a well-conditioned plain file is answered")
        .0
    };
    let s = run(2);
    assert_eq!(s.theta, reference.theta);
    assert_eq!(
        (s.n, s.p, s.rank),
        (reference.n, reference.p, reference.rank)
    );
    assert_within_ulps(&s, &reference, 4.0);
    assert_eq!(run(1), s);
    assert_eq!(run(3), s);
}

/// Files and formulas the one-pass route must leave to the others: a quoted
/// cell (the fast parser gives up), a categorical column, `poly()` (its
/// basis needs the whole column first), a collinear design, and an exact
/// fit (RSS below what G resolves; the in-memory fit gets it from the rows).
#[test]
fn what_one_pass_cannot_answer_exactly_is_declined() {
    let dir = tempfile::tempdir().unwrap();
    let rows = |f: &dyn Fn(usize) -> String| -> String {
        (0..200).map(|i| f(i) + "\n").collect::<String>()
    };
    let noisy = |i: usize| ((i * 7919) % 101) as f64 / 101.0;
    // x centred on 0: [1 | x] is nearly orthogonal (κ ≈ 1.7), so the f64
    // rounding of the data cannot move θ and no decimal refit is due.
    let centred = |i: usize| (i as f64 - 99.5) / 100.0;
    let cases = [
        (
            "quoted",
            "x,y\n\"1\",2\n".to_string() + &rows(&|i| format!("{i},{}", noisy(i))),
            "y ~ x",
        ),
        (
            "text",
            "x,g,y\n".to_string() + &rows(&|i| format!("{i},{},{}", ["a", "b"][i % 2], noisy(i))),
            "y ~ x + g",
        ),
        (
            "poly",
            "x,y\n".to_string() + &rows(&|i| format!("{},{}", centred(i), noisy(i))),
            "y ~ poly(x, 2)",
        ),
        (
            "collinear",
            "x,z,y\n".to_string() + &rows(&|i| format!("{i},{},{}", 2 * i, noisy(i))),
            "y ~ x + z",
        ),
        (
            "exact",
            "x,y\n".to_string() + &rows(&|i| format!("{i},{}", 1 + 2 * i)),
            "y ~ x",
        ),
    ];
    for (name, text, formula) in cases {
        let path = dir.path().join(format!("{name}.csv"));
        std::fs::write(&path, text).unwrap();
        let formula = Formula::parse(formula).unwrap();
        let got = one_pass(&path, &formula);
        assert!(
            got.is_none(),
            "{name}: answered {:?}",
            got.map(|g| g.0.theta)
        );
    }
    // The same route answers the noisy line it was given above.
    let path = dir.path().join("poly.csv");
    let formula = Formula::parse("y ~ x").unwrap();
    let got = one_pass(&path, &formula);
    assert_eq!(
        got.expect("answered").0.theta,
        in_memory(&path, &formula).theta
    );
}

/// Several files are one data set: two halves of the plane in one pass
/// give the in-memory θ of the whole; files with other columns are left to
/// the streamed route, which names the difference.
#[test]
fn several_files_are_one_data_set() {
    let dir = tempfile::tempdir().unwrap();
    let whole = plane_csv(dir.path(), 20_000);
    let text = std::fs::read_to_string(&whole).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let half = |name: &str, part: &[&str]| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{header}\n{}\n", part.join("\n"))).unwrap();
        path
    };
    let parts = [half("a.csv", &rows[..7_000]), half("b.csv", &rows[7_000..])];
    let formula = Formula::parse("y ~ x1 + x2").unwrap();
    let (s, _) = fit_one_pass(&parts, &formula, &ReadOptions::default(), &mut Quiet)
        .unwrap()
        .expect("answered");
    assert_eq!(s.n, 20_000);
    assert_eq!(s.theta, in_memory(&whole, &formula).theta);
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "x1,x3,y\n1,2,3\n").unwrap();
    let mixed = [parts[0].clone(), other];
    let got = fit_one_pass(
        &mixed,
        &Formula::parse("y ~ .").unwrap(),
        &ReadOptions::default(),
        &mut Quiet,
    )
    .unwrap();
    assert!(got.is_none());
}

/// The large-design rule for the decimal refit (`rounding_change` = κₛ·ε):
/// on a table with a year column, where the unscaled κ is 10⁵–10⁶ for the
/// units alone, the estimated change of θ from rounding the cells to f64
/// is small (measured: 1.0e-13) and bounds the change the decimal refit
/// actually makes, in the unit-column coordinates the estimate is about
/// (measured: 1.1e-16); with year² beside year it is large (5.7e-11,
/// measured change 1.1e-13), and the refit is due.
#[test]
fn the_rounding_estimate_bounds_what_the_decimal_refit_changes() {
    use chainrule::solve::{DesignRows, FitOptions};
    use chainrule::source::decimal::{fit_decimal, rounding_change, DecimalFit};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("years.csv");
    let mut text = String::from("year,x2,y\n");
    let mut seed = 12345u64;
    let mut uniform = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..20_000 {
        let (year, x2, e) = (1990.0 + 30.0 * uniform(), uniform() - 0.5, uniform() - 0.5);
        let y = -3000.5 + 1.5 * year + 0.01 * x2 + e;
        text.push_str(&format!("{year},{x2},{y}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let data = Dataset::from_csv(&path).unwrap();
    for (formula, refit_due) in [
        ("y ~ year + x2", false),
        ("y ~ year + I(year^2) + x2", true),
    ] {
        let formula = Formula::parse(formula).unwrap();
        let design = formula.design(&data).unwrap();
        let s = least_squares(&design).unwrap();
        let estimate = rounding_change(&s);
        assert!(
            s.condition_number > 1e5,
            "{formula}: κ {}",
            s.condition_number
        );
        assert_eq!(
            estimate > 1e-12,
            refit_due,
            "{formula}: estimate {estimate:e}"
        );
        let options = FitOptions::default();
        let DecimalFit::Refined { solution, .. } = fit_decimal(
            &path,
            &formula,
            &formula,
            &ReadOptions::default(),
            &design,
            &options,
        )
        .unwrap() else {
            panic!("{formula}: the decimal refit declined");
        };
        // ‖S⁻¹Δθ‖/‖S⁻¹θ‖, S⁻¹ scaling θj by the norm of its column.
        let rows = DesignRows::of(&design);
        let norms: Vec<f64> = (0..s.p)
            .map(|j| match (design.intercept, j) {
                (true, 0) => (design.n as f64).sqrt(),
                _ => {
                    let c = j - usize::from(design.intercept);
                    (0..design.n)
                        .map(|i| rows.x[i * design.d + c].powi(2))
                        .sum::<f64>()
                        .sqrt()
                }
            })
            .collect();
        let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|x| x * x).sum::<f64>().sqrt();
        let change = norm(
            &mut s
                .theta
                .iter()
                .zip(&solution.theta)
                .zip(&norms)
                .map(|((a, b), n)| (a - b) * n),
        ) / norm(&mut s.theta.iter().zip(&norms).map(|(a, n)| a * n));
        eprintln!("{formula}: κ {:.3e}, κₛ {:.3e}, estimate {estimate:.2e}, refit moved θ by {change:.2e}",
            s.condition_number, s.scaled_condition_number);
        assert!(
            change <= estimate,
            "{formula}: moved {change:e} > estimate {estimate:e}"
        );
    }
}

/// `train`'s statistics at its θ from G (`GramStats::of_rows` +
/// `solve_at`) are `least_squares_at`'s from the rows, within a few ulps,
/// at a θ off the optimum; and G of the rows is the same on 1 and 3
/// threads.
#[test]
fn statistics_at_a_given_theta_from_g_are_those_from_the_rows() {
    use chainrule::solve::{least_squares_at, DesignRows, FitOptions};
    let (data, _) = synth(SynthModel::Plane, 30_000, 0.1, 4).unwrap();
    let design = Formula::parse("y ~ x1 + x2")
        .unwrap()
        .design(&data)
        .unwrap();
    let theta = [1.01, 1.99, -3.02];
    let rows = Batch::new(&design.x, &design.y, design.d);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| GramStats::of_rows(rows, true))
            .solve_at(&design.response, &design.names, true, &theta)
            .unwrap()
            .expect("the plane is answered from G")
    };
    let s = on(1);
    let reference =
        least_squares_at(DesignRows::of(&design), &FitOptions::default(), &theta).unwrap();
    assert_eq!(s.theta, theta);
    assert_within_ulps(&s, &reference, 4.0);
    assert_eq!(on(3), s);
}

/// The library's front door on files: `fit_exact_csv` answers as
/// `fit_exact` on the data read whole, by one pass where it can (the
/// plane) and from memory where it cannot (a categorical column).
#[test]
fn fit_exact_csv_is_fit_exact_on_the_file() {
    use chainrule::LinearRegression;
    let dir = tempfile::tempdir().unwrap();
    let plane = plane_csv(dir.path(), 5_000);
    let groups = dir.path().join("groups.csv");
    let text: String = (0..300)
        .map(|i| {
            format!(
                "{},{},{}\n",
                i % 17,
                ["a", "b", "c"][i % 3],
                (i * 7919 % 101) as f64 / 7.0
            )
        })
        .collect();
    std::fs::write(&groups, format!("x,g,y\n{text}")).unwrap();
    for (path, formula) in [(&plane, "y ~ x1 + x2"), (&groups, "y ~ x + g")] {
        let model = LinearRegression::new(formula).unwrap();
        let from_file = model.fit_exact_csv(std::slice::from_ref(path)).unwrap();
        let whole = model.fit_exact(&Dataset::from_csv(path).unwrap()).unwrap();
        assert_eq!(from_file.theta(), whole.theta(), "{formula}");
        assert_eq!(from_file.names(), whole.names(), "{formula}");
    }
}

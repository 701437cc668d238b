//! The public API as a Rust user meets it: `LinearRegression` → `Fitted`
//! or `Exact` → predict, save, load; one error type.

use chainrule::{Dataset, Error, Fitted, LinearRegression, Mode};

fn table(columns: &[(&str, Vec<f64>)]) -> Dataset {
    Dataset::new(
        columns.iter().map(|(n, _)| n.to_string()).collect(),
        columns.iter().map(|(_, c)| c.clone()).collect(),
    )
    .unwrap()
}

/// y = 1 + 2·x1 − 3·x2 exactly (hand-made rows, no noise), so the closed
/// form and a converged descent both give θ = [1, 2, −3].
fn plane() -> Dataset {
    let x1 = vec![0.0, 1.0, 2.0, 0.5, -1.0, 3.0];
    let x2 = vec![1.0, 0.0, 2.0, -1.0, 0.5, 1.5];
    let y = x1
        .iter()
        .zip(&x2)
        .map(|(a, b)| 1.0 + 2.0 * a - 3.0 * b)
        .collect();
    table(&[("x1", x1), ("x2", x2), ("y", y)])
}

#[test]
fn every_mode_trains_to_the_closed_form() {
    let data = plane();
    for mode in Mode::ALL {
        let model = LinearRegression::new("y ~ x1 + x2")
            .unwrap()
            .mode(mode)
            .lr_auto()
            .standardize(true)
            .shuffle(false)
            .epochs(20_000);
        let fitted = model.fit(&data).unwrap();
        let exact = model.fit_exact(&data).unwrap();
        for (k, (t, e)) in fitted.theta().iter().zip(exact.theta()).enumerate() {
            // Truth by construction of `plane`.
            let truth = [1.0, 2.0, -3.0][k];
            assert!((e - truth).abs() < 1e-13, "closed form θ{k} = {e}");
            assert!((t - truth).abs() < 1e-8, "{mode}: θ{k} = {t}");
        }
        assert_eq!(fitted.names(), ["θ0", "x1", "x2"]);
        assert_eq!(fitted.history().len(), fitted.model_file().epochs);
    }
}

#[test]
fn predict_needs_only_the_features_and_matches_by_name() {
    let data = plane();
    let fitted = LinearRegression::new("y ~ x1 + x2")
        .unwrap()
        .lr_auto()
        .epochs(5_000)
        .fit(&data)
        .unwrap();
    // The response is absent and the columns come in another order.
    let new = table(&[("x2", vec![0.0, 1.0]), ("x1", vec![0.0, 1.0])]);
    let z1 = fitted.predict(&new).unwrap();
    // z1 = θ0 + θ1·x1 + θ2·x2 with θ ≈ [1, 2, −3]: 1 at (0, 0), 0 at (1, 1).
    assert!((z1[0] - 1.0).abs() < 1e-6 && z1[1].abs() < 1e-6, "{z1:?}");

    // A `.` model is never re-expanded against the new file: columns in
    // another order and extra columns give the same z1 as the original
    // layout; a missing feature is named.
    let dot = LinearRegression::new("y ~ .").unwrap().lr_auto().epochs(10);
    let fitted = dot.fit(&data).unwrap();
    let same = table(&[("x1", vec![0.5, 2.0]), ("x2", vec![1.0, -1.0])]);
    let shuffled = table(&[
        ("id", vec![7.0, 8.0]),
        ("x2", vec![1.0, -1.0]),
        ("x1", vec![0.5, 2.0]),
    ]);
    assert_eq!(
        fitted.predict(&shuffled).unwrap(),
        fitted.predict(&same).unwrap()
    );
    let other = table(&[("x1", vec![1.0]), ("x3", vec![2.0])]);
    match fitted.predict(&other) {
        Err(Error::Mismatch(message)) => assert!(message.contains("x2"), "{message}"),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn save_then_load_gives_the_same_model_bit_for_bit() {
    let fitted = LinearRegression::new("line")
        .unwrap()
        .lr(0.01)
        .epochs(37)
        .fit(&table(&[
            ("x", vec![1.0, 2.0, 4.0]),
            ("y", vec![3.0, 5.2, 8.9]),
        ]))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    fitted.save(&path).unwrap();
    let loaded = Fitted::load(&path).unwrap();
    assert_eq!(loaded.theta(), fitted.theta());
    assert_eq!(loaded.history(), fitted.history());
    assert!(loaded.run().is_none() && fitted.run().is_some());
}

#[test]
fn errors_are_one_type_and_name_the_problem() {
    let bad_formula = LinearRegression::new("y ~ ~").unwrap_err();
    assert!(matches!(bad_formula, Error::Formula(_)), "{bad_formula}");
    let missing = LinearRegression::new("y ~ nope")
        .unwrap()
        .fit(&plane())
        .unwrap_err();
    assert!(missing.to_string().contains("nope"), "{missing}");
    let diverged = LinearRegression::new("y ~ x1 + x2")
        .unwrap()
        .lr(10.0)
        .epochs(1_000)
        .fit(&plane())
        .unwrap_err();
    assert!(matches!(diverged, Error::Train(_)), "{diverged}");
}

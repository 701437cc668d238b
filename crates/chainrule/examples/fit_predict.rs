//! Fit → predict → save → load, the way a Rust user calls chainrule.
//!
//! Run: `cargo run --release --example fit_predict` (CI runs it too).
//! The data come from `synth`: y = 1 + 2·x1 − 3·x2 plus noise, so both the
//! trained and the closed-form θ should land near [1, 2, −3].

use chainrule::data::{synth, SynthModel};
use chainrule::{Dataset, Fitted, LinearRegression, Mode};

fn main() -> Result<(), chainrule::Error> {
    let (data, truth) = synth(SynthModel::Plane, 1_000, 0.1, 7)?;

    let model = LinearRegression::new("y ~ x1 + x2")?
        .mode(Mode::Vectorized)
        .lr_auto()
        .standardize(true)
        .epochs(500);
    let fitted = model.fit(&data)?;
    let exact = model.fit_exact(&data)?;

    println!(
        "{:>4}  {:>10}  {:>12}  {:>12}",
        "θ", "truth", "trained", "closed form"
    );
    for (k, name) in fitted.names().iter().enumerate() {
        println!(
            "{name:>4}  {:>10.6}  {:>12.8}  {:>12.8}",
            truth[k],
            fitted.theta()[k],
            exact.theta()[k]
        );
    }
    let m = fitted.metrics();
    println!(
        "J = {:.6e}, RMSE = {:.6}, R² = {:.6}",
        m.j, m.rmse, m.r_squared
    );

    // New rows need only the features; the response may be absent.
    let new = Dataset::new(
        vec!["x1".into(), "x2".into()],
        vec![vec![0.0, 1.0], vec![0.0, 1.0]],
    )?;
    let predicted = fitted.predict(&new)?;
    println!(
        "predict (0, 0) → {:.6}, (1, 1) → {:.6}",
        predicted[0], predicted[1]
    );

    let path = std::env::temp_dir().join(format!("chainrule-example-{}.json", std::process::id()));
    fitted.save(&path)?;
    let loaded = Fitted::load(&path)?;
    let _ = std::fs::remove_file(&path);
    assert_eq!(loaded.theta(), fitted.theta(), "θ reads back bit for bit");

    // The trained θ agrees with the closed form to many digits; say so, or fail.
    let worst = fitted
        .theta()
        .iter()
        .zip(exact.theta())
        .map(|(a, b)| (a - b).abs() / b.abs())
        .fold(0.0, f64::max);
    println!("largest relative difference, trained vs closed form: {worst:.1e}");
    assert!(worst < 1e-8, "training fell short of the closed form");
    Ok(())
}

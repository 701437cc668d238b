//! What the CLI does with a file once it is in memory, timed in one
//! process: `chainrule fit` (least squares on the design) and
//! `chainrule train --mode vectorized --epochs E` (the trainer on the
//! design, then J, RMSE and R² of its θ, which `train` prints; its
//! `--json` "seconds" count the trainer alone), median of repeats. The Python binding's benchmark
//! (`crates/chainrule-py/bench/bench.py`) sets its calls against these.
//!
//! ```text
//! cargo run --release --example in_memory_timing -- big.csv "y ~ x1 + x2" 5 3
//! ```
//! Prints one JSON object: seconds (median) and θ of each.

use chainrule::data::Dataset;
use chainrule::model::formula::Formula;
use chainrule::model::{Batch, LinearModel};
use chainrule::solve::{least_squares, metrics};
use chainrule::train::{train, Quiet, TrainConfig};
use std::time::Instant;

fn median(mut secs: Vec<f64>) -> f64 {
    secs.sort_by(f64::total_cmp);
    secs[secs.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, formula, epochs, repeats] = &args[..] else {
        return Err("usage: in_memory_timing DATA.csv FORMULA EPOCHS REPEATS".into());
    };
    let (epochs, repeats): (usize, usize) = (epochs.parse()?, repeats.parse()?);
    let design = Formula::parse(formula)?.design(&Dataset::from_csv(path)?)?;

    let mut exact = Vec::new();
    let mut exact_secs = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        exact = least_squares(&design)?.theta;
        exact_secs.push(t.elapsed().as_secs_f64());
    }
    // As `chainrule train` builds it: defaults but for the epochs, all run
    // (no tolerance), so the timing is per epoch.
    let cfg = TrainConfig {
        epochs,
        tol: None,
        ..TrainConfig::default()
    };
    let cfg = TrainConfig {
        engine: Some(cfg.resolved_engine()?),
        lr: chainrule::train::LearningRate::Auto,
        ..cfg
    };
    let mut trained = Vec::new();
    let mut train_secs = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        let batch = Batch::new(&design.x, &design.y, design.d);
        let model = LinearModel::new(design.d, design.intercept);
        trained = train(batch, model, &cfg, None, &mut Quiet)?.theta;
        std::hint::black_box(metrics(&design, &trained));
        train_secs.push(t.elapsed().as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({
            "rows": design.n, "epochs": epochs, "repeats": repeats,
            "closed_form_s": median(exact_secs), "closed_form_theta": exact,
            "train_s": median(train_secs), "train_theta": trained,
        })
    );
    Ok(())
}

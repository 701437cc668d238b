//! `chainrule demo`: the main job on built-in data, no arguments.

use super::common::print_json;
use anyhow::Result;
use chainrule::teach::{all_lessons, Lesson};

/// The nine lessons on built-in data: y = θ·x, y = θ1·x + θ0 and
/// y = θ2·x2 + θ1·x1 + θ0, each trained three ways (one sample per step,
/// two per-sample branches joined by a mean node, the vectorized batch).
/// Each shows its first step's gradients, that the three modes agree, and
/// the trained θ against the true θ and the closed-form answer.
#[derive(clap::Args)]
pub struct Args {
    /// Print the lessons as JSON
    #[arg(long)]
    pub json: bool,
}

fn list(values: &[f64]) -> String {
    let parts: Vec<_> = values.iter().map(|v| format!("{v:+.6}")).collect();
    parts.join("  ")
}

fn print_lesson(l: &Lesson) {
    let (a, b) = l.first_rows;
    let rows = if b - a == 1 {
        format!("row {}", a + 1)
    } else {
        format!("rows {}–{}", a + 1, b)
    };
    println!("── {} · {}   {}", l.preset, l.mode, l.formula);
    let grads: Vec<_> = l
        .params
        .iter()
        .zip(&l.first_grad)
        .map(|(p, g)| format!("∂J/∂{p} = {g:+.6}"))
        .collect();
    println!(
        "   first step at θ = 0 on {rows}: J = {:.6}   {}",
        l.first_j,
        grads.join("   ")
    );
    println!(
        "   same rows through the other two modes: largest difference {:.1e}",
        l.modes_max_difference
    );
    println!("   after {} epochs at lr {:.4}:", l.epochs, l.lr);
    println!("     {:<12} {}", "", l.params.join("          "));
    println!("     {:<12} {}", "trained", list(&l.theta));
    println!("     {:<12} {}", "closed form", list(&l.closed_form));
    println!("     {:<12} {}", "true", list(&l.true_theta));
    println!(
        "     trained θ agrees with the closed form to {:.1} digits",
        l.digits_vs_closed_form
    );
}

pub fn run(args: Args) -> Result<()> {
    let lessons = all_lessons();
    if args.json {
        print_json(&serde_json::to_value(&lessons)?);
        return Ok(());
    }
    println!("chainrule demo: nine lessons of backpropagation for linear regression\n");
    for l in &lessons {
        print_lesson(l);
        println!();
    }
    let worst = lessons
        .iter()
        .map(|l| l.modes_max_difference)
        .fold(0.0, f64::max);
    println!("the three modes agree on every first step to within {worst:.1e}.");
    println!("sample and unrolled steps are stochastic (shuffled rows, fixed lr): their θ hovers near the least-squares answer; the full-batch vectorized lessons converge to it.");
    Ok(())
}

//! `chainrule bench`: how fast each gradient source runs, beside the
//! machine's own limit measured in the same process — a plain streaming
//! read (sum) of the same X and y. Ratios within one run are what to
//! compare; absolute figures move with the machine and its load.
//!
//! Items, each timed `repeats` times after one warm-up (median, min, max):
//! - `read`: Σ X + Σ y in the kernel's blocks and threads, eight running
//!   sums per block, so it is bound by memory, not by add latency;
//! - `kernel_epoch`: one full-batch J and ∂J/∂θ through the fused kernel;
//! - `graph_compiled_epoch`: the same through the prebuilt vectorized graph
//!   compiled into one blocked pass (f64; on `--dtype f32` it reads the f64
//!   copy of the data);
//! - `graph_epoch`: the same graph node by node, as traces show it;
//! - `kernel_step_k`: a mini-batch step (gradient + θ update) of k rows;
//! - `scalar_graph_step`: a one-row step through the prebuilt scalar graph.
//!
//! With `--csv FILE`, also CSV → θ as `fit` runs it beside a plain read of
//! the file (`bench_csv.rs`).
//!
//! Steps walk the first `STEP_WINDOW` rows over and over: the trainer's
//! mini-batches are copied into a small buffer, so they come from cache,
//! and so do these.

use chainrule::kernel::{Element, FusedKernel, BLOCK_ROWS};
use chainrule::model::sample::SampleGraph;
use chainrule::model::vectorized::VectorizedGraph;
use chainrule::model::{Batch, Gradient, LinearModel};
use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use serde::Serialize;
use std::hint::black_box;
use std::time::{Duration, Instant};
use thiserror::Error;

/// Rows the step items cycle through (384 KiB at d = 2 in f64: in L2).
pub const STEP_WINDOW: usize = 16_384;

/// Each repeat of a step item runs for about this long.
const STEP_REPEAT: Duration = Duration::from_millis(40);

/// Learning rate of the step items: x is drawn from [−1, 1), so
/// ‖[1 | x]‖² ≤ d + 1 and any step below 1/(d + 1) is stable (see
/// `train/lr.rs`); a quarter of it keeps θ well inside.
fn step_lr(d: usize) -> f64 {
    0.25 / (d + 1) as f64
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    F64,
    F32,
}

impl Dtype {
    pub fn size(self) -> usize {
        match self {
            Dtype::F64 => 8,
            Dtype::F32 => 4,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct BenchConfig {
    pub n: usize,
    pub d: usize,
    pub dtype: Dtype,
    /// Threads for the kernel and the read; `None`: all cores.
    pub threads: Option<usize>,
    /// Mini-batch sizes of the step items.
    pub batches: Vec<usize>,
    pub repeats: usize,
    pub seed: u64,
    /// A CSV to time `fit` on, and the formula to fit.
    pub csv: Option<std::path::PathBuf>,
    pub formula: String,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            n: 10_000_000,
            d: 2,
            dtype: Dtype::F64,
            threads: None,
            batches: vec![1, 2, 64],
            repeats: 7,
            seed: 0,
            csv: None,
            formula: "y ~ .".into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum BenchError {
    #[error("{0}")]
    Config(String),
    #[error("--n {n} --d {d} ({dtype:?}) needs about {need_gb:.2} GB of memory, but {available_gb:.2} GB is available. Lower --n to at most {suggest_n} (or --d)")]
    Memory {
        n: usize,
        d: usize,
        dtype: Dtype,
        need_gb: f64,
        available_gb: f64,
        suggest_n: usize,
    },
    #[error("--csv: {0}")]
    Csv(String),
    #[error("cannot start {threads} threads: {detail}")]
    Threads { threads: usize, detail: String },
}

/// Median, min and max of the repeats, in seconds per op (per epoch or per
/// step).
#[derive(Clone, Debug, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(mut times: Vec<f64>) -> Spread {
        times.sort_by(f64::total_cmp);
        let m = times.len() / 2;
        let median = if times.len() % 2 == 1 {
            times[m]
        } else {
            0.5 * (times[m - 1] + times[m])
        };
        Spread {
            median,
            min: times[0],
            max: times[times.len() - 1],
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// `read`, `kernel_epoch`, `graph_epoch`, `kernel_step_64`, …
    pub name: String,
    pub what: String,
    /// Rows one op reads.
    pub rows: usize,
    /// Bytes of X and y one op reads.
    pub bytes: u64,
    /// Seconds per op.
    pub seconds: Spread,
    pub rows_per_s: f64,
    pub gb_per_s: f64,
    /// This item's GB/s over the read's (1 for the read itself).
    pub ratio_to_read: f64,
    /// For epochs: this item's time over the fused kernel's epoch.
    pub ratio_to_kernel: Option<f64>,
    /// For steps: ns per step and steps per second (median).
    pub ns_per_step: Option<f64>,
    pub steps_per_s: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    pub config: BenchConfig,
    pub threads: usize,
    /// Items the run left out, and why.
    pub skipped: Vec<String>,
    pub items: Vec<Item>,
}

/// Bytes the data takes: X and y in the chosen dtype, plus the f64 copy the
/// graph items read when the dtype is f32. `None` on overflow.
pub fn data_bytes(n: usize, d: usize, dtype: Dtype) -> Option<u64> {
    let cells = (n as u64).checked_mul(d as u64 + 1)?;
    let copy = if dtype == Dtype::F32 { 8 } else { 0 };
    cells.checked_mul(dtype.size() as u64 + copy)
}

/// Bytes the prebuilt vectorized graph of n rows holds: values of X (n·d),
/// Y, X·θ, Z1, Z2, L (n each) and gradients of X·θ, Z1, Z2, L.
pub fn graph_bytes(n: usize, d: usize) -> Option<u64> {
    (n as u64).checked_mul(d as u64 + 9)?.checked_mul(8)
}

/// MemAvailable from /proc/meminfo, in bytes (None where there is none).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs every item. `progress` hears what is being done (for stderr).
pub fn run(
    cfg: &BenchConfig,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Result<BenchReport, BenchError> {
    let bad = |m: String| Err(BenchError::Config(m));
    if cfg.n == 0 {
        return bad("--n must be at least 1".into());
    }
    if cfg.repeats == 0 {
        return bad("--repeats must be at least 1".into());
    }
    if let Some(&k) = cfg.batches.iter().find(|&&k| k == 0 || k > cfg.n) {
        return bad(format!(
            "--batch {k}: a mini-batch needs between 1 and --n = {} rows",
            cfg.n
        ));
    }
    let mut skipped = Vec::new();
    let need = data_bytes(cfg.n, cfg.d, cfg.dtype);
    let graph = graph_bytes(cfg.n, cfg.d);
    let available = available_memory();
    // Leave a tenth of what is free to everything else on the machine.
    let budget = available.map(|a| a / 10 * 9);
    let mut with_graph = true;
    match (need, budget) {
        (None, _) => {
            return bad(format!(
                "--n {} × --d {} overflows a 64-bit byte count: lower --n",
                cfg.n, cfg.d
            ))
        }
        (Some(need), Some(budget)) if need > budget => {
            let per_row = need as f64 / cfg.n as f64;
            return Err(BenchError::Memory {
                n: cfg.n,
                d: cfg.d,
                dtype: cfg.dtype,
                need_gb: need as f64 / 1e9,
                available_gb: available.unwrap_or(0) as f64 / 1e9,
                suggest_n: (budget as f64 / per_row) as usize,
            });
        }
        (Some(need), Some(budget)) if graph.is_none_or(|g| need + g > budget) => {
            with_graph = false;
            skipped.push(format!(
                "graph_epoch: the vectorized graph of {} rows needs {:.2} GB more than is available",
                cfg.n,
                graph.map_or(f64::INFINITY, |g| g as f64 / 1e9)
            ));
        }
        _ => {}
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = cfg.threads {
            if t == 0 {
                return bad("--threads must be at least 1".into());
            }
            b = b.num_threads(t);
        }
        b.build().map_err(|e| BenchError::Threads {
            threads: cfg.threads.unwrap_or(0),
            detail: e.to_string(),
        })?
    };
    let threads = pool.current_num_threads();

    progress(&format!(
        "generating {} rows × {} features ({:.2} GB)",
        cfg.n,
        cfg.d,
        need.unwrap_or(0) as f64 / 1e9
    ));
    let (x, y) = generate(cfg.n, cfg.d, cfg.seed);
    let mut items = pool.install(|| match cfg.dtype {
        Dtype::F64 => measure::<f64>(cfg, &x, &y, &x, &y, with_graph, &mut skipped, progress),
        Dtype::F32 => {
            let x32: Vec<f32> = x.iter().map(|&v| f32::from_f64(v)).collect();
            let y32: Vec<f32> = y.iter().map(|&v| f32::from_f64(v)).collect();
            measure::<f32>(cfg, &x32, &y32, &x, &y, with_graph, &mut skipped, progress)
        }
    });
    match &cfg.csv {
        Some(path) => {
            let csv = pool.install(|| {
                crate::bench_csv::measure(path, &cfg.formula, cfg.repeats, progress)
            });
            items.extend(csv.map_err(BenchError::Csv)?);
        }
        None => skipped.push(
            "csv_fit: pass --csv FILE to time CSV → θ (e.g. a file from `chainrule synth --model plane --n 5000000 --out plane.csv`)".into(),
        ),
    }
    Ok(BenchReport {
        config: cfg.clone(),
        threads,
        skipped,
        items,
    })
}

/// x uniform in [−1, 1), y = 1 + Σ (−1)^j·xj + uniform noise in [−0.05, 0.05).
fn generate(n: usize, d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut unit = move || (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    let mut x = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let mut yi = 1.0;
        for j in 0..d {
            let v = 2.0 * unit() - 1.0;
            x.push(v);
            yi += if j % 2 == 0 { v } else { -v };
        }
        y.push(yi + 0.1 * (unit() - 0.5));
    }
    (x, y)
}

/// Σ of a slice with eight running sums (so memory, not add latency, bounds it).
fn sum8<T: Element>(v: &[T]) -> f64 {
    let (chunks, tail) = v.as_chunks::<8>();
    let mut a = [0.0; 8];
    for c in chunks {
        for l in 0..8 {
            a[l] += c[l].to_f64();
        }
    }
    a.iter().sum::<f64>() + tail.iter().map(|t| t.to_f64()).sum::<f64>()
}

fn time_repeats(repeats: usize, mut op: impl FnMut()) -> Vec<f64> {
    op(); // warm-up: page faults, lazily built buffers, thread wake-up
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            op();
            t.elapsed().as_secs_f64()
        })
        .collect()
}

/// Seconds per step, `repeats` times: each repeat runs as many steps as fit
/// in `STEP_REPEAT` (counted once, up front).
fn time_steps(repeats: usize, mut step: impl FnMut(usize)) -> Vec<f64> {
    let mut count = 0;
    let t = Instant::now();
    while t.elapsed() < STEP_REPEAT / 4 {
        for _ in 0..64 {
            step(count);
            count += 1;
        }
    }
    let per_repeat = (count * 4).max(64);
    (0..repeats)
        .map(|_| {
            let t = Instant::now();
            for s in 0..per_repeat {
                step(s);
            }
            t.elapsed().as_secs_f64() / per_repeat as f64
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn measure<T: Element>(
    cfg: &BenchConfig,
    x: &[T],
    y: &[T],
    x64: &[f64],
    y64: &[f64],
    with_graph: bool,
    skipped: &mut Vec<String>,
    progress: &mut (dyn FnMut(&str) + Send),
) -> Vec<Item> {
    let (n, d) = (cfg.n, cfg.d);
    let model = LinearModel::new(d, true);
    let row_bytes = ((d + 1) * std::mem::size_of::<T>()) as u64;
    let theta: Vec<f64> = (0..=d).map(|j| 0.5 - 0.1 * j as f64).collect();
    let mut items: Vec<Item> = Vec::new();
    let mut read_gbs = f64::NAN;
    let mut kernel_s = f64::NAN;
    let mut push =
        |name: &str, what: String, rows: usize, bytes: u64, times: Vec<f64>, step: bool| {
            let s = Spread::of(times);
            let gb_per_s = bytes as f64 / s.median / 1e9;
            if name == "read" {
                read_gbs = gb_per_s;
            }
            if name == "kernel_epoch" {
                kernel_s = s.median;
            }
            let epoch = name.ends_with("epoch");
            items.push(Item {
                name: name.into(),
                what,
                rows,
                bytes,
                rows_per_s: rows as f64 / s.median,
                gb_per_s,
                ratio_to_read: gb_per_s / read_gbs,
                ratio_to_kernel: epoch.then_some(s.median / kernel_s),
                ns_per_step: step.then_some(s.median * 1e9),
                steps_per_s: step.then_some(1.0 / s.median),
                seconds: s,
            });
        };

    progress("read: Σ X + Σ y");
    let times = time_repeats(cfg.repeats, || {
        let s: f64 = x.par_chunks(BLOCK_ROWS * d.max(1)).map(sum8).sum::<f64>()
            + y.par_chunks(BLOCK_ROWS).map(sum8).sum::<f64>();
        black_box(s);
    });
    let what = format!("read X and y ({}), Σ with 8 sums", T::NAME);
    push("read", what, n, n as u64 * row_bytes, times, false);

    progress("fused kernel, full batch");
    let mut kernel = FusedKernel::with_capacity(d, true, n);
    let mut grad = vec![0.0; d + 1];
    let times = time_repeats(cfg.repeats, || {
        black_box(kernel.cost_and_grad_rows(x, y, black_box(&theta), &mut grad));
    });
    let what = format!("fused kernel epoch ({})", T::NAME);
    push("kernel_epoch", what, n, n as u64 * row_bytes, times, false);

    if with_graph {
        progress("vectorized graph, full batch (building it first)");
        match VectorizedGraph::new(&model, n) {
            Ok(mut g) => {
                let batch = Batch::new(x64, y64, d);
                let times = time_repeats(cfg.repeats, || {
                    g.step_compiled(batch, black_box(&theta));
                });
                let what = "vectorized graph epoch, compiled (f64)".to_string();
                push(
                    "graph_compiled_epoch",
                    what,
                    n,
                    n as u64 * (d as u64 + 1) * 8,
                    times,
                    false,
                );
                progress("vectorized graph, full batch, node by node");
                let times = time_repeats(cfg.repeats, || g.step(batch, black_box(&theta)));
                let what = "vectorized graph epoch (f64)".to_string();
                push(
                    "graph_epoch",
                    what,
                    n,
                    n as u64 * (d as u64 + 1) * 8,
                    times,
                    false,
                );
            }
            Err(e) => skipped.push(format!("graph_epoch: {e}")),
        }
    }

    let window = n.min(STEP_WINDOW);
    let lr = step_lr(d);
    for &k in &cfg.batches {
        progress(&format!("kernel steps of {k} rows"));
        let per_window = (window / k).max(1);
        let mut kernel = FusedKernel::with_capacity(d, true, k);
        let mut t = theta.clone();
        let mut grad = vec![0.0; d + 1];
        let times = time_steps(cfg.repeats, |s| {
            let lo = (s % per_window) * k;
            let (xb, yb) = (&x[lo * d..(lo + k) * d], &y[lo..lo + k]);
            black_box(kernel.cost_and_grad_rows(xb, yb, &t, &mut grad));
            for (ti, g) in t.iter_mut().zip(&grad) {
                *ti -= lr * g;
            }
        });
        let what = format!("kernel step, {k} rows ({})", T::NAME);
        push(
            &format!("kernel_step_{k}"),
            what,
            k,
            k as u64 * row_bytes,
            times,
            true,
        );
    }

    progress("scalar graph steps");
    let mut sample = SampleGraph::new(&model).expect("a one-row graph is small");
    let mut t = theta.clone();
    let mut grad = vec![0.0; d + 1];
    let times = time_steps(cfg.repeats, |s| {
        let i = s % window;
        let batch = Batch::new(&x64[i * d..(i + 1) * d], &y64[i..i + 1], d);
        black_box(sample.cost_and_grad(batch, &t, &mut grad));
        for (ti, g) in t.iter_mut().zip(&grad) {
            *ti -= lr * g;
        }
    });
    let what = "scalar graph step, 1 row (f64)".to_string();
    push(
        "scalar_graph_step",
        what,
        1,
        (d as u64 + 1) * 8,
        times,
        true,
    );
    items
}

/// The report as a human table.
pub fn table(r: &BenchReport) -> String {
    let c = &r.config;
    let mut out = format!(
        "chainrule bench: n = {}, d = {}, {:?}, {} thread{}, median of {} [min … max]\n",
        c.n,
        c.d,
        c.dtype,
        r.threads,
        if r.threads == 1 { "" } else { "s" },
        c.repeats
    )
    .to_lowercase();
    out.push_str(&format!(
        "{:<40} {:>32} {:>10} {:>8} {:>7} {:>8} {:>12}\n",
        "item", "time per op", "rows/s", "GB/s", "× read", "× kernel", "steps/s"
    ));
    for it in &r.items {
        let s = &it.seconds;
        let time = format!(
            "{} [{} … {}]",
            duration(s.median),
            duration(s.min),
            duration(s.max)
        );
        out.push_str(&format!(
            "{:<40} {:>32} {:>10.3e} {:>8.2} {:>7.3} {:>8} {:>12}\n",
            it.what,
            time,
            it.rows_per_s,
            it.gb_per_s,
            it.ratio_to_read,
            it.ratio_to_kernel
                .map_or(String::new(), |v| format!("{v:.2}")),
            it.steps_per_s.map_or(String::new(), |v| format!("{v:.3e}")),
        ));
    }
    for s in &r.skipped {
        out.push_str(&format!("skipped {s}\n"));
    }
    out
}

/// Seconds in the unit that reads best: ns, µs, ms or s.
fn duration(s: f64) -> String {
    match s {
        s if s < 1e-6 => format!("{:.1} ns", s * 1e9),
        s if s < 1e-3 => format!("{:.2} µs", s * 1e6),
        s if s < 1.0 => format!("{:.2} ms", s * 1e3),
        s => format!("{s:.3} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_measures_every_item_against_the_read() {
        let cfg = BenchConfig {
            n: 3 * BLOCK_ROWS + 5,
            repeats: 1,
            threads: Some(2),
            ..BenchConfig::default()
        };
        let r = run(&cfg, &mut |_| {}).unwrap();
        let names: Vec<_> = r.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "read",
                "kernel_epoch",
                "graph_compiled_epoch",
                "graph_epoch",
                "kernel_step_1",
                "kernel_step_2",
                "kernel_step_64",
                "scalar_graph_step"
            ]
        );
        assert_eq!(r.items[0].ratio_to_read, 1.0);
        assert!(r.items.iter().all(|i| i.gb_per_s > 0.0));
        assert!(table(&r).contains("fused kernel epoch (f64)"));
    }

    #[test]
    fn absurd_sizes_are_refused_before_allocating() {
        let cfg = BenchConfig {
            n: usize::MAX / 2,
            ..BenchConfig::default()
        };
        let e = run(&cfg, &mut |_| {}).unwrap_err().to_string();
        assert!(e.contains("lower --n"), "{e}");
    }

    #[test]
    fn spread_is_the_median_of_the_repeats() {
        let s = Spread::of(vec![3.0, 1.0, 2.0, 10.0]);
        // Sorted 1, 2, 3, 10: median (2 + 3)/2.
        assert_eq!((s.median, s.min, s.max), (2.5, 1.0, 10.0));
    }
}

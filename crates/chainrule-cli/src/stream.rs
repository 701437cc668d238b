//! The out-of-core side of `train` and `fit` (flags shared by both), and
//! `convert`: data streamed from disk in chunks, never whole in memory.

use super::common::{digits, print_json, usage};
use anyhow::{bail, Context, Result};
use chainrule::data::{DesignCache, ReadOptions};
use chainrule::model::formula::Formula;
use chainrule::scale::{
    fit_stream, stats_at, train_stream, write_cache, CacheDesign, ChainDesign, CsvDesign,
    DesignSource, StreamObserver, DEFAULT_CHUNK_ROWS,
};
use chainrule::solve::Solution;
use chainrule::train::{LearningRate, Metrics, ModelFile, Observer, StopReason, TrainConfig};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Out of core: stream the data from disk instead of loading it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ScaleArgs {
    /// More data files with DATA's columns, read after it as one data set
    /// (e.g. `part-*.csv`); implies streaming
    #[arg(value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// Stream the data from disk this many rows at a time, so memory holds
    /// one chunk however large the file (about rows × columns × 24 bytes).
    /// Full batch: one pass per epoch, the chunks' gradient sums added up —
    /// the same θ as in memory, to rounding. Mini-batches: rows fill a
    /// window of this many rows, which is shuffled (--seed) and dealt into
    /// batches; leftover rows carry into the next window. The shuffle only
    /// mixes rows within a window, so shuffle a sorted file once first, or
    /// raise this. [default when streaming: 65536]
    #[arg(long, value_name = "N")]
    pub chunk_rows: Option<usize>,
    /// Keep a binary copy of the design (X row-major f64 + y, small header)
    /// in FILE and train from its memory map, the fastest path from disk.
    /// Written on the first run (one pass over DATA), reused while it is
    /// newer than DATA and holds the formula's columns. `chainrule convert`
    /// writes one too; DATA may also be such a file
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
}

impl ScaleArgs {
    /// Whether this run streams (any of the flags, or an input that is a
    /// design cache).
    pub fn streams(&self, data: &Path) -> bool {
        self.chunk_rows.is_some()
            || self.cache.is_some()
            || !self.more.is_empty()
            || DesignCache::is_cache(data)
            || is_parquet(data)
    }

    fn chunk_rows(&self) -> Result<usize> {
        match self.chunk_rows {
            Some(0) => Err(usage("--chunk-rows must be at least 1")),
            Some(n) => Ok(n),
            None => Ok(DEFAULT_CHUNK_ROWS),
        }
    }
}

#[cfg(feature = "parquet")]
fn is_parquet(path: &Path) -> bool {
    chainrule::scale::parquet::is_parquet(path)
}

/// Without the feature a Parquet file is refused by name, not misread as CSV.
#[cfg(not(feature = "parquet"))]
fn is_parquet(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| &magic == b"PAR1")
}

/// The rows of DATA (and MORE) through the formula, as a stream.
pub fn open_source(
    data: &Path,
    formula: &Formula,
    drop_missing: bool,
    args: &ScaleArgs,
    observer: &mut Progress,
) -> Result<Box<dyn DesignSource>> {
    let chunk_rows = args.chunk_rows()?;
    let opts = ReadOptions {
        drop_missing,
        ..ReadOptions::default()
    };
    let mut parts: Vec<Box<dyn DesignSource>> = Vec::new();
    for path in std::iter::once(data).chain(args.more.iter().map(PathBuf::as_path)) {
        parts.push(open_one(path, formula, &opts, chunk_rows)?);
    }
    let mut source: Box<dyn DesignSource> = if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Box::new(ChainDesign::new(parts)?)
    };
    let Some(cache) = &args.cache else {
        return Ok(source);
    };
    if fresh_cache(cache, data, &*source) {
        eprintln!("note: training from the design cache {}", cache.display());
    } else {
        let rows = write_cache(&mut *source, cache, &formula.to_string(), observer)
            .with_context(|| format!("--cache {}: writing the design cache", cache.display()))?;
        observer.clear();
        eprintln!(
            "note: wrote the design cache {} ({rows} rows); later runs read it directly",
            cache.display()
        );
    }
    Ok(Box::new(CacheDesign::open(
        cache,
        formula.intercept,
        chunk_rows,
    )?))
}

fn open_one(
    path: &Path,
    formula: &Formula,
    opts: &ReadOptions,
    chunk_rows: usize,
) -> Result<Box<dyn DesignSource>> {
    if DesignCache::is_cache(path) {
        let source = CacheDesign::open(path, formula.intercept, chunk_rows)?;
        let header = &source.cache.header;
        let columns = chainrule::data::Dataset {
            path: Some(path.to_path_buf()),
            names: std::iter::once(header.response.clone())
                .chain(header.names.iter().cloned())
                .collect(),
            columns: vec![Vec::new(); header.names.len() + 1],
        };
        let wanted = formula.feature_names(&columns)?;
        if wanted != header.names || formula.response != header.response {
            bail!(
                "{}: the design cache holds {} ~ {} (made with `{}`), but the formula asks for {} ~ {}; \
                 convert the original data again with this formula",
                path.display(),
                header.response,
                header.names.join(" + "),
                header.formula,
                formula.response,
                wanted.join(" + ")
            );
        }
        return Ok(Box::new(source));
    }
    #[cfg(not(feature = "parquet"))]
    if is_parquet(path) {
        bail!(
            "{} is a Parquet file, and this chainrule was built without Parquet support; \
             rebuild with `cargo build --release --features parquet`",
            path.display()
        );
    }
    #[cfg(feature = "parquet")]
    if chainrule::scale::parquet::is_parquet(path) {
        return Ok(Box::new(chainrule::scale::parquet::ParquetDesign::open(
            path, formula, opts, chunk_rows,
        )?));
    }
    Ok(Box::new(CsvDesign::open(path, formula, opts, chunk_rows)?))
}

/// A cache is reused when it is newer than the data and holds the same
/// response and features.
fn fresh_cache(cache: &Path, data: &Path, source: &dyn DesignSource) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newer = matches!((modified(cache), modified(data)), (Some(c), Some(d)) if c >= d);
    newer
        && DesignCache::open(cache).is_ok_and(|c| {
            c.header.names == source.names() && c.header.response == source.response()
        })
}

/// Progress on stderr: bytes and rows per second of the current pass
/// (indicatif draws nothing when stderr is not a terminal).
pub struct Progress {
    bar: ProgressBar,
    what: String,
    epochs: usize,
    epoch: usize,
    rows: u64,
    started: Instant,
}

impl Progress {
    pub fn new(total_bytes: Option<u64>, epochs: usize) -> Self {
        let bar = ProgressBar::new(total_bytes.unwrap_or(0)).with_style(
            ProgressStyle::with_template(
                "{msg} {bar:24} {bytes}/{total_bytes} {binary_bytes_per_sec} ({elapsed})",
            )
            .expect("the template is valid"),
        );
        Progress {
            bar,
            what: String::new(),
            epochs,
            epoch: 0,
            rows: 0,
            started: Instant::now(),
        }
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn on_epoch(&mut self, epoch: usize, j: f64) -> ControlFlow<()> {
        self.epoch = epoch;
        self.bar
            .set_message(format!("epoch {epoch}/{} J = {j:.6e}", self.epochs));
        // A streamed epoch is one pass over the file: stop between passes.
        if super::interrupt::requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

impl StreamObserver for Progress {
    fn on_pass(&mut self, what: &str) {
        self.what = what.into();
        self.rows = 0;
        self.started = Instant::now();
        self.bar.reset();
    }

    fn on_chunk(&mut self, rows: usize, bytes: u64) {
        self.rows += rows as u64;
        self.bar.set_position(bytes);
        let rate = self.rows as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        let what = if self.what == "epoch" {
            format!("epoch {}/{}", self.epoch + 1, self.epochs)
        } else {
            self.what.clone()
        };
        self.bar.set_message(format!(
            "{what} {} rows {:.2} M rows/s",
            self.rows,
            rate / 1e6
        ));
    }
}

/// `train` when streaming: the same output as the in-memory run.
pub fn train(t: &super::train::Args, formula: &Formula, cfg: &TrainConfig) -> Result<()> {
    let (data, args) = (t.data.as_path(), &t.scale);
    if t.report.is_some() {
        return Err(super::common::usage(
            "--report draws every row and step, so it needs the data in memory: drop --chunk-rows/--cache (or use a CSV input) for a run with a report",
        ));
    }
    let drop_missing = t.drop_missing;
    let mut progress = Progress::new(None, cfg.epochs);
    let mut source = open_source(data, formula, drop_missing, args, &mut progress)?;
    let mut progress = Progress::new(source.bytes_total(), cfg.epochs);
    let chunk_rows = args.chunk_rows()?;
    let run = train_stream(&mut *source, cfg, chunk_rows, &mut progress)
        .with_context(|| format!("training on {}", source.label()))?;
    let at_theta = stats_at(&mut *source, &run.fit.theta, &mut progress)?;
    progress.clear();
    let how = format!("streamed in chunks of {chunk_rows}");
    let design = source.empty_design();
    report(
        t,
        formula,
        cfg,
        &run,
        at_theta.j_sum,
        &design,
        &source.label(),
        &how,
    )?;
    super::train::interrupted(&run.fit, t.out.as_deref())
}

/// Prints (or saves) a streamed run's result like the in-memory `train`.
#[allow(clippy::too_many_arguments)]
fn report(
    t: &super::train::Args,
    formula: &Formula,
    cfg: &TrainConfig,
    run: &chainrule::scale::StreamFit,
    rss: f64,
    design: &chainrule::data::Design,
    label: &str,
    how: &str,
) -> Result<()> {
    let (check, out, json_out) = (t.check, t.out.as_deref(), t.json);
    let fit = &run.fit;
    let mse = rss / run.n as f64;
    let tss = run.stats.total_sum_of_squares(formula.intercept);
    let r_squared = match 1.0 - rss / tss {
        r if r.is_finite() => r,
        _ => f64::NAN,
    };
    let checked: Option<Solution> = if check {
        Some(
            run.stats
                .solve(&design.response, &design.names, design.intercept)
                .context("closed-form check")?,
        )
    } else {
        None
    };
    let names = design.param_names();
    if let Some(path) = out {
        let file = ModelFile::new(
            formula.to_string(),
            design.response.clone(),
            design.names.clone(),
            design.intercept,
            cfg.clone(),
            fit,
            Metrics {
                j: mse,
                rmse: mse.sqrt(),
                r_squared,
            },
        );
        file.save(path)
            .with_context(|| format!("--out {}: cannot write the model file", path.display()))?;
    }
    let agreement = checked.as_ref().map(|s| {
        let pairs = fit.theta.iter().zip(&s.theta);
        let largest = pairs
            .clone()
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let worst = pairs.map(|(a, b)| digits(*a, *b)).fold(15.0, f64::min);
        (largest, worst)
    });
    if json_out {
        let params: Vec<_> = names
            .iter()
            .zip(&fit.theta)
            .map(|(n, t)| json!({"name": n, "value": t}))
            .collect();
        print_json(&json!({
            "formula": formula.to_string(),
            "mode": cfg.mode,
            "theta": params,
            "j": mse, "rmse": mse.sqrt(), "r_squared": r_squared,
            "epochs": fit.epochs, "steps": fit.steps, "stop": fit.stop,
            "lr": fit.lr, "batch_size": fit.batch_size, "seconds": fit.seconds,
            "rows": run.n, "streamed": true, "how": how,
            "check": checked.as_ref().zip(agreement).map(|(s, (largest, worst))| json!({
                "closed_form_theta": s.theta, "largest_difference": largest, "digits": worst,
            })),
            "out": out,
        }));
        return Ok(());
    }
    println!(
        "{label}: {formula}  ({} rows {how}, mode {}, batch {}, lr {:.6e}{})",
        run.n,
        cfg.mode,
        fit.batch_size,
        fit.lr,
        if matches!(cfg.lr, LearningRate::Auto) {
            " auto"
        } else {
            ""
        },
    );
    super::common::print_theta_table(
        &names,
        &fit.theta,
        checked.as_ref().map(|s| s.theta.as_slice()),
        (mse, mse.sqrt(), r_squared),
    );
    println!(
        "{} epochs ({}), {} steps, {:.3} s",
        fit.epochs,
        match fit.stop {
            StopReason::Epochs => "all",
            StopReason::Converged => "converged",
            StopReason::Interrupted => "interrupted",
        },
        fit.steps,
        fit.seconds
    );
    if let Some((largest, worst)) = agreement {
        println!(
            "check: θ agrees with the closed form to {worst:.1} digits (largest difference {largest:.3e})"
        );
    }
    if let Some(path) = out {
        println!("model written to {}", path.display());
    }
    Ok(())
}

/// `fit` when streaming: one pass folding rows into the R of [A | y].
pub fn fit(
    data: &Path,
    formula: &Formula,
    drop_missing: bool,
    args: &ScaleArgs,
) -> Result<(chainrule::data::Design, Solution)> {
    let mut progress = Progress::new(None, 0);
    let mut source = open_source(data, formula, drop_missing, args, &mut progress)?;
    let mut progress = Progress::new(source.bytes_total(), 0);
    let s =
        fit_stream(&mut *source, &mut progress).with_context(|| format!("solving {formula}"))?;
    progress.clear();
    let mut design = source.empty_design();
    design.n = s.n;
    Ok((design, s))
}

/// Write a design cache: the formula's X (row-major f64) and y in a small
/// binary file that `train` and `fit` memory-map, the fastest path from
/// disk. Converts in one streamed pass, so the input may exceed memory.
///
/// Example: chainrule convert big.csv --formula "y ~ x1 + x2" --out big.crd
#[derive(clap::Args)]
pub struct ConvertArgs {
    /// CSV file with a header row (tab-separated if it ends in .tsv), or
    /// Parquet (feature `parquet`)
    pub data: PathBuf,
    /// More data files with DATA's columns, appended in order
    #[arg(value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// Model formula whose design is stored (see `chainrule train --help`)
    #[arg(long, short, default_value = "y ~ .")]
    pub formula: String,
    /// The cache file to write (atomically)
    #[arg(long, short)]
    pub out: PathBuf,
    /// Rows per chunk while converting
    #[arg(long, value_name = "N")]
    pub chunk_rows: Option<usize>,
    /// Skip rows with empty, NaN or infinite cells
    #[arg(long)]
    pub drop_missing: bool,
}

pub fn convert(args: ConvertArgs) -> Result<()> {
    let formula = super::common::parse_formula(&args.formula)?;
    let scale = ScaleArgs {
        more: args.more.clone(),
        chunk_rows: args.chunk_rows,
        ..ScaleArgs::default()
    };
    let mut progress = Progress::new(None, 0);
    let mut source = open_source(
        &args.data,
        &formula,
        args.drop_missing,
        &scale,
        &mut progress,
    )?;
    let mut progress = Progress::new(source.bytes_total(), 0);
    let start = Instant::now();
    let rows = write_cache(&mut *source, &args.out, &formula.to_string(), &mut progress)
        .with_context(|| format!("writing {}", args.out.display()))?;
    progress.clear();
    let bytes = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}: {formula} → {} ({rows} rows × {} features, {bytes} bytes, {:.3} s)",
        source.label(),
        args.out.display(),
        source.d(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `train --engine datafusion` (a local session): the QR statistics in one
/// aggregate query, then one query per epoch, then one for the metrics.
#[cfg(feature = "distributed")]
pub fn train_datafusion(
    t: &super::train::Args,
    formula: &Formula,
    cfg: &TrainConfig,
) -> Result<()> {
    use chainrule::scale::datafusion::{train_engine, Engine};
    let files: Vec<PathBuf> = std::iter::once(t.data.clone())
        .chain(t.scale.more.iter().cloned())
        .collect();
    let engine = Engine::local()?;
    let table = engine.table(&files, formula)?;
    let mut progress = Progress::new(None, cfg.epochs);
    let run = train_engine(&engine, &table, cfg, &mut progress)
        .with_context(|| format!("training on {}", files[0].display()))?;
    let rss = engine.grad_stats(&table, &run.fit.theta, None)?.j_sum;
    progress.clear();
    let design = chainrule::data::Design {
        response: table.response.clone(),
        names: table.names.clone(),
        intercept: formula.intercept,
        n: run.n,
        d: table.names.len(),
        x: Vec::new(),
        y: Vec::new(),
    };
    let label = match files.len() {
        1 => files[0].display().to_string(),
        k => format!("{} (+{} more)", files[0].display(), k - 1),
    };
    let how = "in DataFusion, one query per epoch";
    report(t, formula, cfg, &run, rss, &design, &label, how)
}

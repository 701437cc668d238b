//! `--cluster` (feature `distributed`): `train` and `fit` with every pass
//! an aggregate query on a Ballista cluster (`chainrule scheduler`,
//! `chainrule executor`) instead of a local DataFusion session.

use super::common::usage;
use super::flags::{DataArgs, ScaleArgs};
use anyhow::{Context, Result};
use chainrule::data::Design;
use chainrule::model::formula::Formula;
use chainrule::scale::cluster::check_url;
use chainrule::scale::datafusion::{lacks_functions, Engine, Sums, Table};
use chainrule::solve::Solution;
use std::path::PathBuf;
use std::time::Duration;

/// Where the passes run.
#[derive(clap::Args, Clone, Debug)]
pub struct ClusterArgs {
    /// Run the passes over the data as queries on the Ballista cluster
    /// whose scheduler is at df://HOST:PORT (`chainrule scheduler`,
    /// `chainrule executor`). DATA and MORE are then Parquet files,
    /// directories of them or globs ('parts/*.parquet'), at the same path
    /// on every machine
    #[arg(long, value_name = "df://HOST:PORT", value_parser = parse_url)]
    pub cluster: Option<String>,
    /// Seconds one query may wait for the cluster's answer (a cluster that
    /// lost every executor would wait without end)
    #[arg(long, default_value_t = 300, value_name = "SECS", requires = "cluster")]
    pub query_timeout: u64,
}

fn parse_url(text: &str) -> Result<String, String> {
    check_url(text).map(|()| text.to_string())
}

/// Flags of a read on this machine, which a query engine has no use for:
/// refused rather than silently ignored.
pub fn refuse_local_flags(data: &DataArgs, scale: &ScaleArgs, report: bool) -> Result<()> {
    let flag = if scale.chunk_rows.is_some() {
        "--chunk-rows"
    } else if scale.cache.is_some() {
        "--cache"
    } else if data.drop_missing {
        "--drop-missing"
    } else if report {
        "--report"
    } else {
        return Ok(());
    };
    Err(usage(format!(
        "{flag} works on rows read on this machine; with --cluster (or --engine datafusion) the engine reads the Parquet files: drop {flag}"
    )))
}

/// The engine: the cluster with `--cluster`, else a local session.
pub fn engine(args: &ClusterArgs) -> Result<Engine> {
    if args.query_timeout == 0 {
        return Err(usage("--query-timeout must be at least 1 second"));
    }
    Ok(match &args.cluster {
        Some(url) => Engine::remote(url, Duration::from_secs(args.query_timeout))?,
        None => Engine::local()?,
    })
}

/// How the rows were read, in words (`how` in --json).
pub fn how(args: &ClusterArgs) -> String {
    match &args.cluster {
        Some(url) => format!("on the cluster at {url}, one query per epoch"),
        None => "in DataFusion, one query per epoch".into(),
    }
}

/// The warning a run on nodes without chainrule's functions carries.
pub fn fallback_warning(engine: &Engine) -> Option<String> {
    (engine.sums() == Sums::BuiltIn).then(|| {
        format!(
            "{} lacks chainrule's aggregate functions (stock Ballista nodes): the gradient came from built-in SUM((θ·x − y)·xj) sums (the same to rounding), and n, --lr auto, --standardize's scaling, R² and --check's closed form from SUM(xi·xj), which squares the condition number — trust those to half the digits; start the nodes with `chainrule scheduler` and `chainrule executor` for TSQR",
            engine.place
        )
    })
}

/// A design with the table's names and no rows: labels for θ.
pub fn empty_design(table: &Table, formula: &Formula, n: usize) -> Design {
    Design {
        response: table.response.clone(),
        names: table.names.clone(),
        intercept: formula.intercept,
        n,
        d: table.names.len(),
        x: Vec::new(),
        y: Vec::new(),
    }
}

/// `fit --cluster`: the closed form from one TSQR query, the design it
/// solved (names only, no rows), and how the rows were read. Stock nodes are refused: the only
/// closed form built-in sums give is the normal equations.
pub fn fit(
    args: &ClusterArgs,
    files: &[PathBuf],
    formula: &Formula,
) -> Result<(Solution, Design, String)> {
    let engine = engine(args)?;
    let table = engine.table(files, formula)?;
    let stats = engine.qr_stats_tsqr(&table).map_err(|e| {
        if lacks_functions(&e) {
            anyhow::anyhow!(
                "{} lacks chainrule's aggregate functions (stock Ballista nodes): fit will not solve the normal equations from SUM(xi·xj), which square the condition number and can lose every digit of θ; start the scheduler and executors with `chainrule scheduler` and `chainrule executor`, or fit without --cluster",
                engine.place
            )
        } else {
            e.into()
        }
    })?;
    let s = stats
        .solve(&table.response, &table.names, formula.intercept)
        .with_context(|| format!("solving {formula}"))?;
    let design = empty_design(&table, formula, s.n);
    let how = match &args.cluster {
        Some(url) => format!("on the cluster at {url}"),
        None => "in DataFusion".into(),
    };
    Ok((s, design, how))
}

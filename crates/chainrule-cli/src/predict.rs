//! `chainrule predict`: a saved model applied to new rows.

use super::common::{print_json, usage, DataLimits};
use super::flags::{IntervalArg, LevelArg};
use anyhow::{anyhow, Context, Result};
use chainrule::data::{format_number, read_csv_str, Dataset};
use chainrule::model::formula::{Expr, Formula, Term};
use chainrule::solve::{interval_bounds, Uncertainty};
use chainrule::Fitted;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Write DATA back with a prediction column `<response>_pred` (CSV on
/// stdout, or atomically to --out): one output row per input row, in order,
/// every cell as written in DATA. A row with a missing value in a column
/// the model uses gets an empty prediction (stderr says how many); the
/// response may be empty or absent. A transformed response is predicted on
/// its own scale, as R's predict does: `log(y) ~ x` gives `log(y)_pred`.
///
/// Example: chainrule predict model.json new.csv --keep id --interval prediction
#[derive(clap::Args)]
pub struct Args {
    /// A model file written by `chainrule fit --out` or `chainrule train --out`
    pub model: PathBuf,
    /// CSV with the model's input columns (the response may be empty or absent)
    pub data: PathBuf,
    /// Write here instead of stdout
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Leave out rows with a missing value in a column the model uses
    /// (and say how many), instead of writing them with an empty prediction
    #[arg(long)]
    pub drop_missing: bool,
    /// Columns of DATA to write beside the prediction, as written
    /// (comma-separated, e.g. `id,date`) [default: every column]
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub keep: Option<Vec<String>>,
    /// Add `<response>_lower` and `<response>_upper`: where the mean lies
    /// (confidence) or a new observation (prediction), at --level. Needs a
    /// model from `fit --out`, which stores Cov(θ) and σ²
    #[arg(long, value_enum, value_name = "KIND")]
    pub interval: Option<IntervalArg>,
    #[command(flatten)]
    pub level: LevelArg,
    /// Print the predictions as JSON on stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limits: DataLimits,
}

/// DATA as written: the header and every record's cells as text.
struct Table {
    names: Vec<String>,
    rows: Vec<csv::StringRecord>,
    delimiter: u8,
}

pub fn run(args: Args) -> Result<()> {
    let model = Fitted::load(&args.model)?;
    let file = model.model_file();
    let uncertainty = match args.interval {
        None => None,
        Some(_) => Some(file.inference.as_ref().ok_or_else(|| {
            anyhow!(
                "{}: this model ({}) holds no covariance of θ, which --interval needs; \
                 save the least-squares fit with `chainrule fit DATA --formula \"{}\" --out \
                 {}`",
                args.model.display(),
                file.method,
                file.formula,
                args.model.display()
            )
        })?),
    };
    let table = read_table(&args.data, &args.limits)?;
    let kept = kept_columns(&table, args.keep.as_deref())?;
    let formula = Formula::parse(&file.formula)?;
    let (data, rows) = complete_rows(&table, &args, &formula, &file.features)?;
    let design = model.design(&data)?;
    let prediction: Vec<f64> = (0..design.n)
        .map(|i| design.predict_row(&file.theta, i))
        .collect();
    let bounds = uncertainty.zip(args.interval).map(|(u, kind)| {
        let u = Uncertainty {
            cov_params: &u.cov_params,
            scale: u.scale,
            df_resid: u.df_resid,
            use_t: u.use_t,
        };
        interval_bounds(&design, &file.theta, u, args.level.level, kind.into())
    });
    let missing = table.rows.len() - rows.len();
    if missing > 0 {
        let what = if args.drop_missing {
            "are left out (--drop-missing)"
        } else {
            "get an empty prediction (--drop-missing leaves them out)"
        };
        eprintln!(
            "note: {missing} of {} rows have a missing value in a column the model uses, so \
             they {what}",
            table.rows.len()
        );
    }
    // Row r of DATA → its position among the predicted rows.
    let mut at = vec![None; table.rows.len()];
    rows.iter().enumerate().for_each(|(k, &r)| at[r] = Some(k));
    let response = &file.response;
    if !matches!(formula.response, Expr::Column(_)) {
        eprintln!(
            "note: the model fits {response}, so the predictions and intervals are of \
             {response} (as R's predict gives them), not of {}; transform them back if you \
             need that",
            formula.response_columns().join(", ")
        );
    }
    let mut header: Vec<String> = kept.iter().map(|&j| table.names[j].clone()).collect();
    header.push(format!("{response}_pred"));
    if bounds.is_some() {
        header.push(format!("{response}_lower"));
        header.push(format!("{response}_upper"));
    }
    let figures = |k: usize| {
        let mut out = vec![prediction[k]];
        if let Some((lo, hi)) = &bounds {
            out.extend([lo[k], hi[k]]);
        }
        out
    };
    let width = header.len() - kept.len();
    if args.json {
        let out: Vec<_> = (0..table.rows.len())
            .filter(|&r| at[r].is_some() || !args.drop_missing)
            .map(|r| {
                let values: serde_json::Map<_, _> = kept
                    .iter()
                    .map(|&j| (table.names[j].clone(), json!(&table.rows[r][j])))
                    .collect();
                let f = at[r].map(figures);
                let get = |i: usize| f.as_ref().map(|f| f[i]);
                json!({"row": r + 1, "values": values, "prediction": get(0),
                       "lower": bounds.as_ref().and_then(|_| get(1)),
                       "upper": bounds.as_ref().and_then(|_| get(2))})
            })
            .collect();
        print_json(&json!({
            "model": args.model.display().to_string(), "method": file.method,
            "response": response, "rows": table.rows.len(), "predicted": rows.len(),
            "missing": missing,
            "interval": args.interval.map(|i| format!("{i:?}").to_lowercase()),
            "level": args.interval.map(|_| args.level.level),
            "predictions": out,
        }));
        return Ok(());
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(table.delimiter)
        .from_writer(Vec::new());
    w.write_record(&header)?;
    for (r, record) in table.rows.iter().enumerate() {
        let mut cells: Vec<String> = kept.iter().map(|&j| record[j].to_string()).collect();
        match at[r] {
            Some(k) => cells.extend(figures(k).into_iter().map(format_number)),
            None if args.drop_missing => continue,
            None => cells.extend(std::iter::repeat_n(String::new(), width)),
        }
        w.write_record(&cells)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow!("{e}"))?;
    match &args.out {
        Some(path) => chainrule::data::atomic::write_atomic(path, &bytes)
            .with_context(|| format!("--out {}: cannot write the predictions", path.display()))?,
        None => print!("{}", String::from_utf8_lossy(&bytes)),
    }
    Ok(())
}

fn delimiter_of(path: &Path) -> u8 {
    match path.extension().and_then(|e| e.to_str()) {
        Some("tsv") => b'\t',
        _ => b',',
    }
}

fn read_table(path: &Path, limits: &DataLimits) -> Result<Table> {
    super::common::not_a_cache(path)?;
    let delimiter = delimiter_of(path);
    let shown = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .with_context(|| format!("{shown}: cannot read the data"))?;
    let names: Vec<String> = reader
        .headers()
        .with_context(|| format!("{shown}: cannot read the header"))?
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    if names.len() > limits.max_columns {
        return Err(anyhow!(
            "{shown}: {} columns is more than --max-columns {}",
            names.len(),
            limits.max_columns
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{shown}: cannot read a row"))?;
        if (rows.len() + 1) * names.len() > limits.max_cells {
            return Err(anyhow!(
                "{shown}: more than --max-cells {} cells; raise it to predict on this file",
                limits.max_cells
            ));
        }
        rows.push(record);
    }
    Ok(Table {
        names,
        rows,
        delimiter,
    })
}

/// Indices of the columns to write back; every column by default.
fn kept_columns(table: &Table, keep: Option<&[String]>) -> Result<Vec<usize>> {
    let Some(keep) = keep else {
        return Ok((0..table.names.len()).collect());
    };
    keep.iter()
        .filter(|c| !c.is_empty())
        .map(|c| {
            table.names.iter().position(|n| n == c).ok_or_else(|| {
                usage(format!(
                    "--keep {c}: DATA has no such column; its columns are: {}",
                    table.names.join(", ")
                ))
            })
        })
        .collect()
}

/// The rows with every column the model reads present, read by the
/// library's reader (so "missing" means what it means everywhere: empty,
/// `NA` and the like, NaN, inf) with their row numbers carried along in an
/// extra column, so the predictions can be put back in place.
fn complete_rows(
    table: &Table,
    args: &Args,
    formula: &Formula,
    features: &[String],
) -> Result<(Dataset, Vec<usize>)> {
    // The response is never read: it may be absent, empty or unknown.
    let response = formula.response_columns();
    let mut used = formula.columns_used(&table.names);
    used.retain(|c| !response.contains(&c.as_str()));
    if formula.terms.contains(&Term::Dot) {
        // `.` is never re-expanded against new data: only the fitted
        // features and the columns other terms name are read.
        let named = Formula {
            terms: formula
                .terms
                .iter()
                .filter(|t| **t != Term::Dot)
                .cloned()
                .collect(),
            ..formula.clone()
        }
        .columns_used(&table.names);
        used.retain(|c| features.contains(c) || named.contains(c));
    }
    let index = "chainrule predict row".to_string();
    let columns: Vec<usize> = used
        .iter()
        .map(|c| {
            table
                .names
                .iter()
                .position(|n| n == c)
                .expect("used ⊂ names")
        })
        .collect();
    let mut w = csv::WriterBuilder::new()
        .delimiter(table.delimiter)
        .from_writer(Vec::new());
    let mut header = used.clone();
    header.push(index.clone());
    w.write_record(&header)?;
    for (r, record) in table.rows.iter().enumerate() {
        let mut cells: Vec<String> = columns.iter().map(|&j| record[j].to_string()).collect();
        cells.push(r.to_string());
        w.write_record(&cells)?;
    }
    let text = String::from_utf8(w.into_inner().map_err(|e| anyhow!("{e}"))?)?;
    let opts = args.limits.read_options(true);
    let shown = args.data.display().to_string();
    // Text columns (categorical variables) come along; the lines are the
    // file's when it has one line per row (no blank lines, no cell
    // spanning lines).
    let (mut data, _) = read_csv_str(&shown, &text, &opts)?;
    let at = data.index_of(&index).expect("the row column was written");
    let rows = data.columns[at].iter().map(|&v| v as usize).collect();
    data.names.remove(at);
    data.columns.remove(at);
    data.path = Some(args.data.clone());
    Ok((data, rows))
}

//! One full-batch epoch from the design cache against the in-memory
//! trainer, in one process (issue 7's benchmark). Median of repeats, with
//! min and max; run from a warm page cache (the first pass warms it).
//!
//! ```text
//! chainrule synth --model plane --n 10000000 --out /tmp/p10m.csv
//! chainrule convert /tmp/p10m.csv --formula "y ~ x1 + x2" --out /tmp/p10m.crd
//! cargo run --release --example scale_bench -- /tmp/p10m.crd [REPEATS]
//! ```
//! With `--features parquet` and a Parquet file as a second argument it
//! also times a streamed pass over the Parquet file (rows/s); with
//! `--features distributed`, one epoch as a DataFusion aggregate query.

use chainrule::data::Design;
use chainrule::model::{gradient_source, Batch, LinearModel, Mode};
use chainrule::source::{block_stats, GradStats};
use chainrule::source::{CacheSource, RowSource, DEFAULT_CHUNK_ROWS};
use std::time::Instant;

fn time<F: FnMut() -> f64>(repeats: usize, mut f: F) -> (f64, f64, f64, f64) {
    let mut secs = Vec::new();
    let mut check = 0.0;
    for _ in 0..repeats {
        let t = Instant::now();
        check = f();
        secs.push(t.elapsed().as_secs_f64());
    }
    secs.sort_by(f64::total_cmp);
    (secs[secs.len() / 2], secs[0], secs[secs.len() - 1], check)
}

fn report(what: &str, n: usize, (median, min, max, j): (f64, f64, f64, f64), base: Option<f64>) {
    let ratio = base.map_or(String::new(), |b| format!("  {:.2}× in-memory", median / b));
    println!(
        "{what:<40} {:>9.4} s (min {:.4}, max {:.4})  {:>7.1} M rows/s  J = {j:.9e}{ratio}",
        median,
        min,
        max,
        n as f64 / median / 1e6
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(
        args.get(1)
            .expect("usage: scale_bench FILE.crd [REPEATS] [FILE.parquet]"),
    );
    let repeats: usize = args.get(2).map_or(7, |r| r.parse().unwrap());
    let mut source = CacheSource::open(path, true, DEFAULT_CHUNK_ROWS).unwrap();
    let (n, d) = (source.cache.n, source.cache.d);
    let model = LinearModel::new(d, true);
    let theta: Vec<f64> = (0..model.n_params()).map(|k| 0.5 + k as f64).collect();
    println!(
        "{}: n = {n}, d = {d}, {} bytes",
        path.display(),
        source.cache.bytes()
    );

    // In memory: the design copied out of the map into Vecs.
    let design = Design {
        response: "y".into(),
        names: source.names().to_vec(),
        intercept: true,
        n,
        d,
        x: source.cache.x().to_vec(),
        y: source.cache.y().to_vec(),
    };
    let all = Batch::new(&design.x, &design.y, d);
    let mut graph = gradient_source(Mode::Vectorized, model, &[n]).unwrap();
    let mut grad = vec![0.0; model.n_params()];
    let graph_epoch = time(repeats, || graph.cost_and_grad(all, &theta, &mut grad));
    report(
        "in memory, vectorized graph (trainer)",
        n,
        graph_epoch,
        None,
    );
    let memory = time(repeats, || block_stats(all, &model, &theta).finish().0);
    report("in memory, fused kernel (trainer)", n, memory, None);
    let base = memory.0;

    // From the cache: the streamed trainer's epoch (chunks of the map).
    let cached = time(repeats, || {
        let mut sum = GradStats::empty(model.n_params());
        source
            .pass(&mut |b, _| {
                sum.merge(&block_stats(b, &model, &theta));
                Ok(())
            })
            .unwrap();
        sum.finish().0
    });
    report(
        "design cache (mmap), chunks of 65536",
        n,
        cached,
        Some(base),
    );
    let mut big = CacheSource::open(path, true, 1 << 20).unwrap();
    let cached = time(repeats, || {
        let mut sum = GradStats::empty(model.n_params());
        big.pass(&mut |b, _| {
            sum.merge(&block_stats(b, &model, &theta));
            Ok(())
        })
        .unwrap();
        sum.finish().0
    });
    report("design cache (mmap), chunks of 2^20", n, cached, Some(base));

    #[cfg(feature = "parquet")]
    if let Some(pq) = args.get(3) {
        if !std::path::Path::new(pq).exists() {
            // y, x1, x2 columns from the cache, one million rows per row group.
            let mut columns = vec![design.y.clone()];
            columns.extend((0..d).map(|j| (0..n).map(|i| design.x[i * d + j]).collect()));
            let names = std::iter::once("y".to_string())
                .chain(design.names.iter().cloned())
                .collect();
            let data = chainrule::data::Dataset::new(names, columns).unwrap();
            chainrule::source::parquet::write_parquet(std::path::Path::new(pq), &data, 1 << 20)
                .unwrap();
        }
        let formula = chainrule::model::formula::Formula::parse("y ~ x1 + x2").unwrap();
        let mut source = chainrule::source::parquet::ParquetSource::open(
            std::path::Path::new(pq),
            &formula,
            &chainrule::data::ReadOptions::default(),
            DEFAULT_CHUNK_ROWS,
        )
        .unwrap();
        let parquet = time(repeats.min(3), || {
            let mut sum = GradStats::empty(model.n_params());
            source
                .pass(&mut |b, _| {
                    sum.merge(&block_stats(b, &model, &theta));
                    Ok(())
                })
                .unwrap();
            sum.finish().0
        });
        report("parquet, streamed epoch", n, parquet, Some(base));
        #[cfg(feature = "distributed")]
        {
            let engine = chainrule::scale::datafusion::Engine::local().unwrap();
            let files = vec![std::path::PathBuf::from(pq)];
            let table = engine.table(&files, &formula).unwrap();
            let df = time(repeats.min(3), || {
                engine.grad_stats(&table, &theta, None).unwrap().finish().0
            });
            report("datafusion aggregate, one epoch", n, df, Some(base));
        }
    }
}

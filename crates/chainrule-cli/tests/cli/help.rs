//! Help that is true. Every subcommand's `--help` is a snapshot (clap
//! wraps help to the terminal, here none: `COLUMNS=100`, clap's widest;
//! the locale is pinned to English). `fit --help` speaks of no
//! mini-batch or seed, `graph --help` offers no flag that draws nothing,
//! and every flag that `graph --help` and `fit --help` list is run against
//! a baseline: the table below says, per flag, what it changes.

use assert_cmd::Command;
use std::path::Path;

/// The binary from the repository root (the table names `examples/…`),
/// in English whatever the machine's locale.
fn chainrule() -> Command {
    let mut cmd = Command::cargo_bin("chainrule").unwrap();
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .env("COLUMNS", "100")
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .env_remove("LC_MESSAGES");
    cmd
}

/// The subcommands, as `chainrule --help` lists them (src/main.rs).
const SUBCOMMANDS: [&str; 11] = [
    "demo", "explain", "grad", "graph", "train", "fit", "predict", "report", "synth", "bench",
    "convert",
];

fn help(sub: &str) -> String {
    let out = chainrule().args([sub, "--help"]).output().unwrap();
    assert!(out.status.success(), "{sub} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[cfg_attr(
    feature = "distributed",
    ignore = "train --help then lists the datafusion engine; the snapshot is the default build's"
)]
fn every_subcommands_help_is_a_snapshot() {
    insta::assert_snapshot!("help", help_of_all());
}

fn help_of_all() -> String {
    SUBCOMMANDS
        .iter()
        .map(|sub| format!("===== chainrule {sub} --help\n{}", help(sub)))
        .collect()
}

#[test]
fn fit_help_speaks_of_no_training() {
    // fit solves in closed form: no batches, no shuffle, no seed.
    let text = help("fit").to_lowercase();
    for word in ["mini-batch", "batch", "--seed", "shuffle", "epoch"] {
        assert!(!text.contains(word), "fit --help mentions {word}:\n{text}");
    }
}

#[test]
fn graph_help_offers_no_flag_that_draws_nothing() {
    // A drawing shows values and gradients, not the update: the learning
    // rate and a number of steps would change nothing in it.
    let flags = flags_of(&help("graph"));
    for absent in ["--lr", "--steps"] {
        assert!(!flags.iter().any(|f| f == absent), "{flags:?}");
    }
}

/// The long flags a help text lists (lines `  -f, --flag` or `      --flag`).
fn flags_of(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| {
            let long = l.split([' ', ',']).find(|w| w.starts_with("--"))?;
            Some(long.to_string())
        })
        .filter(|f| f != "--help" && f != "--version")
        .collect()
}

/// What a run printed and wrote: exit code, stdout, stderr, and the bytes
/// of the file `--out`/`--cache` name, if any.
fn observe(args: &[String], file: Option<&Path>) -> (Option<i32>, String, String, Option<Vec<u8>>) {
    if let Some(f) = file {
        let _ = std::fs::remove_file(f);
    }
    let out = chainrule().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        file.and_then(|f| std::fs::read(f).ok()),
    )
}

/// One row of the table: the flag, the baseline command, what the flag
/// adds, the file it writes (if any) and the difference it makes.
struct Row {
    flag: &'static str,
    base: Vec<String>,
    with: Vec<String>,
    file: Option<String>,
    makes: &'static str,
}

fn row(flag: &'static str, base: &[&str], with: &[&str], makes: &'static str) -> Row {
    let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    Row {
        flag,
        base: own(base),
        with: own(with),
        file: None,
        makes,
    }
}

/// Runs each row and checks that the flag changed what was observed, and
/// that the table covers every flag the help lists.
fn check_table(sub: &str, rows: &[Row]) {
    let listed = flags_of(&help(sub));
    for flag in &listed {
        assert!(
            rows.iter().any(|r| r.flag == flag),
            "{sub} --help lists {flag}, which the table does not check"
        );
    }
    for r in rows {
        let file = r.file.as_deref().map(Path::new);
        let base = observe(&r.base, file);
        let with: Vec<String> = r.base.iter().chain(&r.with).cloned().collect();
        let changed = observe(&with, file);
        assert_ne!(
            base, changed,
            "{sub} {}: expected {} ({with:?})",
            r.flag, r.makes
        );
    }
}

#[test]
fn every_graph_flag_changes_the_drawing() {
    let dir = tempfile::tempdir().unwrap();
    // Two rows of y = 2·x + 1 and a row with an empty y (hand-written).
    let csv = dir.path().join("d.csv");
    std::fs::write(&csv, "x,y\n1,\n2,5\n3,7\n").unwrap();
    let csv = csv.display().to_string();
    let svg = dir.path().join("g.svg").display().to_string();
    let dot = ["graph", "--format", "dot"];
    let plane = [
        "graph",
        "--format",
        "dot",
        "--formula",
        "plane",
        "--x1",
        "1",
        "--x2",
        "2",
        "--y",
        "3",
    ];
    let mut rows = vec![
        row(
            "--formula",
            &dot,
            &["--formula", "line"],
            "another model's graph",
        ),
        row(
            "--mode",
            &dot,
            &["--mode", "unrolled"],
            "one branch per row",
        ),
        row("--x", &dot, &["--x", "4", "--y", "3"], "x = 4 in the boxes"),
        row("--x1", &plane, &["--x1", "5"], "x1 = 5 in the boxes"),
        row("--x2", &plane, &["--x2", "5"], "x2 = 5 in the boxes"),
        row("--y", &dot, &["--x", "2", "--y", "9"], "y = 9 in the boxes"),
        row("--theta", &dot, &["--theta", "1.5"], "θ = 1.5 in the boxes"),
        row(
            "--data",
            &dot,
            &["--data", &csv, "--rows", "2"],
            "the file's row",
        ),
        row(
            "--drop-missing",
            &["graph", "--format", "dot", "--data", &csv],
            &["--drop-missing"],
            "row 1 (empty y) skipped instead of an error",
        ),
        row(
            "--rows",
            &dot,
            &["--rows", "2"],
            "the built-in data's row 2",
        ),
        row(
            "--program",
            &dot,
            &["--program", "examples/two_samples.expr"],
            "the program's graph",
        ),
        row("--lang", &dot, &["--lang", "ko"], "Korean words"),
        // Unrolled mode's default is 2 rows: above a limit of 1.
        row(
            "--max-rows",
            &["graph", "--format", "dot", "--mode", "unrolled"],
            &["--max-rows", "1"],
            "a refusal naming the limit",
        ),
        row(
            "--format",
            &dot,
            &["--format", "mermaid"],
            "Mermaid, not DOT",
        ),
        // origin's z1 = θ·x is one op; line's θ1·x + θ0 hides a mul and an add.
        row(
            "--all-nodes",
            &["graph", "--format", "dot", "--formula", "line"],
            &["--all-nodes"],
            "the mul and add inside z1 drawn",
        ),
    ];
    rows.push(Row {
        file: Some(svg.clone()),
        ..row(
            "--out",
            &dot,
            &["--out", &svg],
            "the drawing in a file, not on stdout",
        )
    });
    check_table("graph", &rows);
}

#[test]
fn every_fit_flag_changes_the_answer_or_says_how() {
    let dir = tempfile::tempdir().unwrap();
    // Hand-written rows; the last has an empty x2.
    let text = "x1,x2,y\n1,2,3.1\n2,1,3.9\n3,5,8.2\n4,3,7.1\n5,4,9.3\n6,8,13.8\n";
    let csv = dir.path().join("f.csv");
    std::fs::write(&csv, text).unwrap();
    let holes = dir.path().join("holes.csv");
    std::fs::write(&holes, format!("{text}7,,15\n")).unwrap();
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "x1,x2,y\n7,2,9.9\n").unwrap();
    let (csv, holes, more) = (
        csv.display().to_string(),
        holes.display().to_string(),
        more.display().to_string(),
    );
    let cache = dir.path().join("f.crd").display().to_string();
    let model = dir.path().join("m.json").display().to_string();
    let base = ["fit", csv.as_str()];
    let mut rows = vec![
        row(
            "--drop-missing",
            &["fit", &holes],
            &["--drop-missing"],
            "the row with an empty x2 skipped instead of an error",
        ),
        row(
            "--na",
            &["fit", &holes],
            &["--na", "drop"],
            "the row with an empty x2 skipped instead of an error",
        ),
        // 3 columns in the file (the header above).
        row(
            "--max-columns",
            &base,
            &["--max-columns", "2"],
            "refused: 3 columns",
        ),
        // 7 rows × 3 columns = 21 cells with the header's row.
        row(
            "--max-cells",
            &base,
            &["--max-cells", "6"],
            "refused: too many cells",
        ),
        row("--formula", &base, &["--formula", "y ~ x1"], "one feature"),
        row("--json", &base, &["--json"], "JSON"),
        row(
            "--level",
            &base,
            &["--level", "0.5"],
            "[0.25 0.75] intervals",
        ),
        row(
            "--digits",
            &base,
            &["--digits", "3"],
            "3 significant digits",
        ),
        row(
            "--chunk-rows",
            &base,
            &["--chunk-rows", "2"],
            "the same θ; the header says the rows were streamed",
        ),
        row(
            "--cov",
            &base,
            &["--cov", "HC3"],
            "robust standard errors and z tests",
        ),
        row(
            "--weights",
            &base,
            &["--weights", "x1"],
            "rows weighted by x1: another θ",
        ),
    ];
    rows.push(Row {
        file: Some(model.clone()),
        ..row("--out", &base, &["--out", &model], "the model file written")
    });
    rows.push(Row {
        file: Some(cache.clone()),
        ..row(
            "--cache",
            &base,
            &["--cache", &cache],
            "the cache file written",
        )
    });
    // MORE is a positional argument, not a flag; checked here all the same.
    rows.push(row("MORE", &base, &[&more], "a seventh row"));
    // Port 1 on loopback: no scheduler listens there.
    #[cfg(feature = "distributed")]
    rows.extend([
        row(
            "--cluster",
            &base,
            &["--cluster", "df://127.0.0.1:1"],
            "the data read as Parquet for the cluster: refused, it is CSV",
        ),
        row(
            "--query-timeout",
            &["fit", &csv, "--cluster", "df://127.0.0.1:1"],
            &["--query-timeout", "0"],
            "refused: a timeout of 0 s",
        ),
    ]);
    check_table("fit", &rows);
}

/// `grad` with no program waits on standard input: on a terminal it says
/// so (and how to end it); from a pipe it stays quiet. The terminal is
/// util-linux `script`'s pseudo-terminal, where it exists.
#[test]
fn grad_says_it_reads_a_terminal() {
    let piped = chainrule()
        .arg("grad")
        .write_stdin("L = 2^2\n")
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("standard input"));

    let bin = assert_cmd::cargo::cargo_bin("chainrule");
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("no `script` here: the terminal case is not checked");
        return;
    }
    // The program, then Ctrl-D (EOT, 0x04) typed at the terminal.
    let out = Command::new("script")
        .args(["-qc", &format!("{} grad", bin.display()), "/dev/null"])
        .write_stdin("L = 2^2\n\x04")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(
        seen.contains("reading the program from standard input") && seen.contains("Ctrl-D"),
        "{seen}"
    );
}

//! Warnings that are words: every warning the library gives a fit says
//! what happened, what it means for the result, and what to do. Each is
//! provoked here on hand-made data through the command line, and its
//! guidance checked on stderr.

use assert_cmd::Command;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

/// The stderr of a successful run.
fn stderr(args: &[&str]) -> String {
    let out = chainrule().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {err}");
    err
}

fn assert_says(err: &str, parts: &[&str]) {
    for part in parts {
        assert!(err.contains(part), "missing {part:?} in:\n{err}");
    }
}

/// Each case: data (hand-written), the command, and the words that must
/// appear — what happened, what it means, what to do.
#[test]
fn every_fit_warning_says_what_it_means_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    // c = 1 on every row: the intercept's column again.
    let constant = file("c.csv", "x,c,y\n1,1,3\n2,1,5\n3,1,7.5\n4,1,8.5\n");
    // x2 = 2·x1 on every row.
    let collinear = file("x2.csv", "x1,x2,y\n1,2,3\n2,4,5\n3,6,7.5\n4,8,8.5\n");
    // z = 0 on every row.
    let zeros = file("z.csv", "x,z,y\n1,0,3\n2,0,5\n3,0,7.5\n4,0,8.5\n");
    // Two rows: a line through both (2 parameters), nothing left over.
    let two = file("two.csv", "x1,x2,y\n1,3,3\n2,5,5\n");
    // y = 4 on every row.
    let flat = file("flat.csv", "x,y\n1,4\n2,4\n3,4\n");
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["fit", &constant],
            vec![
                "column \"c\" is constant",
                "cannot tell their θ apart",
                "θ is set to 0",
                "remove it from the formula",
            ],
        ),
        (
            vec!["fit", &collinear],
            vec![
                "column \"x2\" is (nearly) a linear combination",
                "cannot tell its θ from theirs",
                "the other θ are the fit without it",
                "remove it (or one of the columns it repeats)",
            ],
        ),
        (
            vec!["fit", &zeros],
            vec!["column \"z\" is all zeros", "θ is set to 0", "remove it"],
        ),
        (
            // 2 rows for 3 parameters (θ0, θ1, θ2).
            vec!["fit", &two],
            vec![
                "cannot be estimated: 2 rows are not enough for 3 parameters",
                "add rows or remove features",
            ],
        ),
        (
            // 2 rows for 2 parameters (θ0, θ1).
            vec!["fit", &two, "--formula", "y ~ x1"],
            vec![
                "no degrees of freedom",
                "standard errors, t, p-values and intervals are undefined",
                "add rows or remove features",
            ],
        ),
        (
            // The same, streamed: the statistics restate it for the rows.
            vec!["fit", &two, "--formula", "y ~ x1", "--chunk-rows", "1"],
            vec!["2 rows for 2 estimated parameters leave no degrees of freedom"],
        ),
        (
            vec!["fit", &flat],
            vec![
                "\"y\" has no variation",
                "R² and the F test are undefined",
                "check that the formula names the response",
            ],
        ),
        (
            // The trainer adds the rank to the referee's column warning.
            vec!["train", &collinear, "--check", "--epochs", "5"],
            vec![
                "rank 2 < 3 parameters: θ is not unique",
                "remove the columns named above",
            ],
        ),
    ];
    for (args, parts) in cases {
        let err = stderr(&args);
        assert!(err.contains("warning: "), "{args:?}: {err}");
        assert_says(&err, &parts);
    }
}

/// `--drop-missing` says what it skipped and what the results rest on.
#[test]
fn the_drop_note_says_what_the_results_use() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.csv");
    // Row 2 has an empty y.
    std::fs::write(&p, "x,y\n1,3\n2,\n3,7\n4,9\n").unwrap();
    let p = p.display().to_string();
    let out = dir.path().join("r.html").display().to_string();
    let err = stderr(&[
        "report",
        "--data",
        &p,
        "--out",
        &out,
        "--epochs",
        "1",
        "--drop-missing",
    ]);
    // 4 rows read, 1 skipped, 3 kept.
    assert_says(
        &err,
        &[
            "skipped 1 of 4 rows read",
            "the results use only the 3 kept",
        ],
    );
}

//! A damaged design cache is refused by name, with what to do, by every
//! command that is given it: never read as a CSV (where its bytes could
//! parse), never a panic, never a fit. Each damage below is made from a
//! good cache written by `convert`, at the offsets of the layout in
//! `data/cache.rs` (magic 0..8, version 8..12, description length 12..16,
//! n 16..24, d 24..32, the JSON description, then X and y).

use assert_cmd::Command;
use std::path::Path;

fn chainrule() -> Command {
    Command::cargo_bin("chainrule").unwrap()
}

/// Exit code and stderr of a run in `dir`.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = chainrule().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stderr)
}

fn le64(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

/// `bytes` with `with` written at `at`.
fn patched(bytes: &[u8], at: usize, with: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at..at + with.len()].copy_from_slice(with);
    b
}

#[test]
fn each_damage_to_a_cache_is_refused_by_name_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 50 rows of y ~ x1 + x2: d = 2 features, n = 50.
    let ok = |args: &[&str]| {
        let (code, stderr) = run(d, args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
    };
    ok(&["synth", "--model", "plane", "--n", "50", "--out", "s.csv"]);
    ok(&["convert", "s.csv", "--out", "good.crd"]);
    ok(&["fit", "good.crd"]);
    let good = std::fs::read(d.join("good.crd")).unwrap();
    let h = u32::from_le_bytes(good[12..16].try_into().unwrap()) as usize;
    assert_eq!(
        good.len(),
        32 + h + 8 * 50 * 3,
        "the layout of data/cache.rs"
    );

    // (file, bytes, what the message must say)
    let rebuild = "rebuild it from the data with `chainrule convert";
    let damaged: Vec<(&str, Vec<u8>, &str)> = vec![
        // Two letters of the magic changed: once read as a CSV.
        ("magic.crd", patched(&good, 5, b"ig"), "nearly those"),
        // The same under another name: known by its first bytes.
        ("magic.bin", patched(&good, 3, b"X"), "nearly those"),
        // Text named .crd.
        (
            "text.crd",
            b"y,x1,x2\n1,2,3\n4,5,6\n".to_vec(),
            "not a chainrule design cache",
        ),
        ("empty.crd", Vec::new(), "not a chainrule design cache"),
        // Cut: in y, and inside the fixed header.
        ("cut.crd", good[..good.len() - 8].to_vec(), "truncated"),
        (
            "short.crd",
            good[..20].to_vec(),
            "shorter than its 32-byte header",
        ),
        // n one row short of the data, and absurdly large.
        ("rows.crd", patched(&good, 16, &le64(49)), "n = 49 rows"),
        (
            "huge.crd",
            patched(&good, 16, &le64(1 << 60)),
            "truncated or damaged",
        ),
        // A description 8 bytes longer than it is.
        (
            "desc.crd",
            patched(&good, 12, &((h + 8) as u32).to_le_bytes()),
            "truncated or damaged",
        ),
        // n·(d+1) unchanged (30·5 = 50·3), so the length agrees; the
        // description's 2 names do not.
        (
            "shape.crd",
            patched(&patched(&good, 16, &le64(30)), 24, &le64(4)),
            "names 2 features, its size field says 4",
        ),
        // The JSON description damaged.
        (
            "json.crd",
            patched(&good, 32, b"!!"),
            "damaged design cache header",
        ),
        (
            "version.crd",
            patched(&good, 8, &7u32.to_le_bytes()),
            "version 7",
        ),
    ];
    for (name, bytes, says) in &damaged {
        std::fs::write(d.join(name), bytes).unwrap();
        for args in [
            vec!["fit", name],
            vec!["train", name, "--epochs", "2"],
            vec!["convert", name, "--out", "again.crd"],
            vec!["fit", "s.csv", name],
        ] {
            let (code, stderr) = run(d, &args);
            let what = format!("{args:?}: {stderr}");
            assert_eq!(code, Some(1), "{what}");
            assert!(stderr.contains(&format!("{name}: ")), "{what}");
            assert!(stderr.contains(says), "{what}");
            if !["text.crd", "empty.crd"].contains(name) {
                assert!(stderr.contains(rebuild), "{what}");
            }
            assert!(!stderr.contains("panicked"), "{what}");
            assert!(!d.join("again.crd").exists(), "{what}");
        }
    }
}

/// A cache of zero rows is whole, but has nothing to fit.
#[test]
fn a_cache_with_no_rows_fits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.csv"), "x,y\n").unwrap();
    std::fs::write(d.join("one.csv"), "x,y\n1,2\n").unwrap();
    assert_eq!(
        run(d, &["convert", "one.csv", "--out", "one.crd"]).0,
        Some(0)
    );
    // Keep the fixed header and the description, set n = 0, drop the rows.
    let good = std::fs::read(d.join("one.crd")).unwrap();
    let h = u32::from_le_bytes(good[12..16].try_into().unwrap()) as usize;
    let mut empty = patched(&good, 16, &le64(0));
    empty.truncate(32 + h);
    std::fs::write(d.join("zero.crd"), empty).unwrap();
    for args in [vec!["fit", "zero.crd"], vec!["train", "zero.crd"]] {
        let (code, stderr) = run(d, &args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("no rows"), "{args:?}: {stderr}");
    }
}

/// The commands that read a table (predict, explain, graph, report) are
/// given a cache, good or damaged: refused by name, saying which file to
/// give instead.
#[test]
fn commands_that_read_a_table_refuse_a_cache() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["synth", "--model", "plane", "--n", "20", "--out", "s.csv"][..],
        &["convert", "s.csv", "--out", "good.crd"],
        &["train", "s.csv", "--epochs", "2", "--out", "m.json"],
    ] {
        assert_eq!(run(d, args).0, Some(0), "{args:?}");
    }
    let good = std::fs::read(d.join("good.crd")).unwrap();
    std::fs::write(d.join("bad.crd"), patched(&good, 0, b"cr")).unwrap();
    for cache in ["good.crd", "bad.crd"] {
        for args in [
            vec!["predict", "m.json", cache],
            vec!["explain", "--data", cache],
            vec!["graph", "--data", cache],
            vec!["report", "--data", cache, "--out", "r.html"],
        ] {
            let (code, stderr) = run(d, &args);
            let what = format!("{args:?}: {stderr}");
            assert_eq!(code, Some(1), "{what}");
            assert!(
                stderr.contains(&format!("{cache}: a design cache (.crd")),
                "{what}"
            );
            assert!(stderr.contains("give this command the CSV/TSV"), "{what}");
        }
    }
}

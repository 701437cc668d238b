#!/usr/bin/env python3
"""`chainrule fit` on a CSV against polars' `read_csv` alone, in one sitting.

Issue #15's target: fitting θ from a CSV (parse every cell, solve, report)
should take less wall time than polars needs only to read the same file.
Both run on the same file, from a warm page cache, with the same number of
threads, alternately, `--repeats` times each; the medians are compared.
Peak RSS is measured in one more run of each, by GNU time.

Run from the repository root after `cargo build --release`:

    python3 -m venv /tmp/pvenv && /tmp/pvenv/bin/pip install polars
    /tmp/pvenv/bin/python bench/polars_compare.py --threads 2

It makes the 5,000,000 × 3 file (288 MB) with `chainrule synth` in a
temporary directory unless `--csv FILE` names one. Not part of the test
suite: timings depend on the machine.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

POLARS_READ = "import polars as pl, sys; pl.read_csv(sys.argv[1])"


def cpu_seconds():
    """User + system CPU seconds of every child that has ended."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, env):
    """Wall and CPU seconds of one child run (CPU: on a shared machine the
    wall time counts other people's work too)."""
    start, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, cpu_seconds() - cpu


def peak_rss(cmd, env):
    """Peak RSS (MiB) of one run, by GNU time when it is installed."""
    if not os.path.exists("/usr/bin/time"):
        return None
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M"] + cmd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chainrule", default="target/release/chainrule")
    ap.add_argument("--csv", help="the CSV to read (default: synthesize big.csv)")
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    env = dict(os.environ)
    env["POLARS_MAX_THREADS"] = str(args.threads)
    env["RAYON_NUM_THREADS"] = str(args.threads)
    tmp = tempfile.TemporaryDirectory()
    path = args.csv
    if path is None:
        path = os.path.join(tmp.name, "big.csv")
        subprocess.run(
            [args.chainrule, "synth", "--model", "plane", "--n", str(args.rows),
             "--out", path],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    with open(path, "rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass

    runs = {
        "polars read_csv": [sys.executable, "-c", POLARS_READ, path],
        "chainrule fit (one pass: the default)": [args.chainrule, "fit", path, "-f", "y ~ x1 + x2"],
        "chainrule fit --chunk-rows 65536": [
            args.chainrule, "fit", path, "-f", "y ~ x1 + x2", "--chunk-rows", "65536"],
    }
    # The interpreter's start and `import polars` are timed too; measured
    # apart so the table can show the read alone.
    baseline = [sys.executable, "-c", "import polars"]
    times = {name: [] for name in list(runs) + ["python + import polars"]}
    for _ in range(args.repeats):
        for name, cmd in runs.items():
            times[name].append(timed(cmd, env))
        times["python + import polars"].append(timed(baseline, env))

    def median(name, k):
        return statistics.median(t[k] for t in times[name])

    size = os.path.getsize(path) / 1e6
    print(f"{path}: {size:.0f} MB, {args.threads} threads, median of {args.repeats}"
          " (wall; CPU user + system)")
    polars = [median("polars read_csv", k) - median("python + import polars", k)
              for k in (0, 1)]
    print(f"  {'polars read_csv (start and import subtracted)':46}"
          f" {polars[0]:7.3f} s  CPU {polars[1]:6.3f} s")
    for name, cmd in runs.items():
        if name == "polars read_csv":
            continue
        wall, cpu = median(name, 0), median(name, 1)
        rss = peak_rss(cmd, env)
        rss = f"{rss:7.1f} MiB peak RSS" if rss is not None else ""
        print(f"  {name:46} {wall:7.3f} s  CPU {cpu:6.3f} s  "
              f"{wall / polars[0]:5.2f}× polars (wall)  {rss}")
    rss = peak_rss(runs["polars read_csv"], env)
    if rss is not None:
        print(f"  {'polars read_csv peak RSS':46} {rss:7.1f} MiB")


if __name__ == "__main__":
    main()

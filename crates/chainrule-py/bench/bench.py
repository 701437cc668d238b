"""The binding's cost over the CLI's: `fit` (closed form) and `train`
(vectorized, a few epochs) on an n × 2 numpy array, against the same calls
the CLI makes once its file is in memory, timed in the same run.

    cargo build --release && cargo build --release --example in_memory_timing
    python crates/chainrule-py/bench/bench.py [--n 10000000] [--epochs 5] [--repeats 3]

The data: `chainrule synth --model plane` (y = θ0 + θ1·x1 + θ2·x2 + noise),
read into numpy for Python and from the CSV by the CLI and the Rust timing,
so all three see the same doubles (θ is checked bit for bit). Python's time
is the whole call: arrays in, checks, the library's work, result out. The
CLI path (examples/in_memory_timing.rs) is what `fit` and `train` compute
once the file is loaded: least squares; the trainer and the metrics it
prints. `train --json` reports the trainer's seconds alone, shown too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path
from statistics import median

import numpy as np

import chainrule

REPO = Path(__file__).resolve().parents[3]
RELEASE = REPO / "target" / "release"


def timed(repeats: int, call):
    secs, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = call()
        secs.append(time.perf_counter() - start)
    return median(secs), out


def read_plane(csv: Path) -> tuple[np.ndarray, np.ndarray]:
    """x1, x2, y columns of the synth CSV (header x1,x2,y), read by numpy's
    correctly rounded float parser; X comes out C-contiguous."""
    table = np.loadtxt(csv, delimiter=",", skiprows=1, dtype=np.float64)
    return np.ascontiguousarray(table[:, :2]), np.ascontiguousarray(table[:, 2])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000_000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--dir", type=Path, default=None)
    a = p.parse_args()
    work = a.dir or Path(tempfile.mkdtemp())
    csv = work / f"plane-{a.n}.csv"
    cli = str(RELEASE / "chainrule")
    if not csv.exists():
        subprocess.run([cli, "synth", "--model", "plane", "--n", str(a.n), "--out", str(csv)],
                       check=True, stdout=subprocess.DEVNULL)
    header = csv.open().readline().strip().split(",")
    assert header == ["x1", "x2", "y"], header
    x, y = read_plane(csv)

    rust = json.loads(subprocess.run(
        [str(RELEASE / "examples" / "in_memory_timing"), str(csv), "y ~ x1 + x2",
         str(a.epochs), str(a.repeats)],
        check=True, capture_output=True, text=True).stdout)
    cli_runs = [json.loads(subprocess.run(
        [cli, "train", str(csv), "--formula", "y ~ x1 + x2", "--mode", "vectorized",
         "--epochs", str(a.epochs), "--json"],
        check=True, capture_output=True, text=True).stdout) for _ in range(a.repeats)]
    cli_train = median(r["seconds"] for r in cli_runs)

    py_fit, exact = timed(a.repeats, lambda: chainrule.fit(x, y))
    py_train, trained = timed(a.repeats, lambda: chainrule.train(x, y, epochs=a.epochs))
    assert exact.theta.tolist() == rust["closed_form_theta"]
    assert trained.theta.tolist() == rust["train_theta"]
    assert trained.theta.tolist() == [t["value"] for t in cli_runs[0]["theta"]]

    print(f"{a.n:,} rows × 2 features, median of {a.repeats}; θ equal bit for bit everywhere")
    print(f"{'':34} {'Python':>9} {'CLI path':>9} {'ratio':>7}")
    print(f"{'fit (closed form)':34} {py_fit:>8.3f}s {rust['closed_form_s']:>8.3f}s "
          f"{py_fit / rust['closed_form_s']:>6.2f}×")
    print(f"{f'train (vectorized, {a.epochs} epochs)':34} {py_train:>8.3f}s "
          f"{rust['train_s']:>8.3f}s {py_train / rust['train_s']:>6.2f}×")
    print(f"{'  (train --json seconds: trainer only)':34} {'':>9} {cli_train:>8.3f}s "
          f"{py_train / cli_train:>6.2f}×")


if __name__ == "__main__":
    main()

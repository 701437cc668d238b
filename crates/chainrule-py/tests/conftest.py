"""Shared fixtures: the CLI binary the binding is checked against, and data
written once as CSV (for the CLI) and held as arrays (for Python)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `chainrule` binary: $CHAINRULE_BIN, else target/release/chainrule,
    built when missing."""
    given = os.environ.get("CHAINRULE_BIN")
    if given:
        return Path(given)
    path = REPO / "target" / "release" / "chainrule"
    if not path.exists():
        subprocess.run(
            ["cargo", "build", "--release", "-p", "chainrule-cli"], cwd=REPO, check=True
        )
    return path


def run_cli(cli: Path, *args: str) -> str:
    done = subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_json(cli: Path, *args: str) -> dict:
    return json.loads(run_cli(cli, *args, "--json"))


def write_csv(path: Path, columns: dict) -> Path:
    """Writes columns as CSV with repr(), Python's shortest round-trip form,
    so the CLI's correctly rounded reader gets the very same doubles."""
    names = list(columns)
    rows = zip(*(columns[n] for n in names))
    lines = [",".join(names)] + [",".join(repr(float(v)) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")
def plane(tmp_path_factory) -> dict:
    """y = 1.5 − 0.7·x1 + 2·x2 + N(0, 0.1²) on 200 rows (seed 7): a made-up
    plane whose numbers matter only in that the CLI sees the same ones."""
    rng = np.random.default_rng(7)
    n = 200
    x1 = rng.uniform(-2.0, 2.0, n)
    x2 = rng.uniform(0.0, 5.0, n)
    y = 1.5 - 0.7 * x1 + 2.0 * x2 + rng.normal(0.0, 0.1, n)
    columns = {"x1": x1, "x2": x2, "y": y}
    csv = write_csv(tmp_path_factory.mktemp("data") / "plane.csv", columns)
    return {"columns": columns, "csv": csv}

"""The example notebook runs top to bottom in a fresh kernel, and its
results draw themselves: the graph as SVG, the derivation in TeX, the J curve."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "chainrule.ipynb"


def test_the_example_notebook_runs_and_shows_its_drawings(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    markdown = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    # explain(...), the grad trace, and the trained result: three drawings.
    assert sum("<svg" in h for h in html) >= 3
    assert any("J by epoch" in h for h in html)
    assert any("$$" in m and "\\begin{aligned}" in m for m in markdown)
    assert (tmp_path / "report.html").read_text().startswith("<!doctype html>")

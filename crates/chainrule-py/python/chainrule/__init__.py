"""chainrule: backpropagation for linear regression, from Python.

>>> import numpy as np, chainrule
>>> x = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 1.0 + 2.0 * x[:, 0]
>>> chainrule.fit(x, y).theta          # closed form: y = 1 + 2·x exactly
array([1., 2.])

Every function makes one call into the Rust library (the CLI's numbers, bit
for bit); this module only reads the data in and shows results in Jupyter.
Data: a pandas DataFrame or a mapping of name → 1-D array, with a formula
(``"y ~ x1 + x2"``, ``"y ~ poly(x, 3)"``, ``"y ~ ."``); or a 2-D float64
matrix X with a 1-D y, read in place when C-contiguous.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union, cast

import numpy as np

from . import _chainrule
from ._errors import ChainruleError, InputError, TrainingError

if TYPE_CHECKING:
    from ._chainrule import Settings

__all__ = [
    "ChainruleError",
    "InputError",
    "TrainingError",
    "Closed",
    "Step",
    "Trace",
    "Trained",
    "explain",
    "fit",
    "fit_csv",
    "grad",
    "load",
    "report",
    "train",
]
__version__: str = _chainrule.__version__

Data = Any
"""A DataFrame, a mapping of name → 1-D array, or a 2-D array X (with y)."""


def _table_columns(data: Data, wanted: Sequence[str]) -> Tuple[List[str], List[np.ndarray]]:
    """The columns of a DataFrame or mapping that `wanted` names (those
    present), as float64 arrays: a view when already float64 and contiguous."""
    available = [str(c) for c in data.keys()]
    names, columns = [], []
    for key, name in zip(data.keys(), available):
        if name not in wanted:
            continue
        values = data[key]
        kind = getattr(getattr(values, "dtype", None), "kind", None)
        if kind is None:
            values = np.asarray(values)
            kind = values.dtype.kind
        if kind not in "biuf":
            raise InputError(
                f'column "{name}" holds {values.dtype} values (text or categories); chainrule '
                "reads numbers only: encode it as numbers (e.g. pandas.get_dummies) or leave it "
                "out of the formula"
            )
        if hasattr(values, "to_numpy"):
            array = values.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1:
            raise InputError(f'column "{name}" has shape {array.shape}: give 1-D columns')
        names.append(name)
        columns.append(np.ascontiguousarray(array))
    return names, columns


def _is_table(data: Data) -> bool:
    return isinstance(data, Mapping) or (hasattr(data, "columns") and hasattr(data, "keys"))


def _table(data: Data, formula: str) -> Tuple[List[str], List[np.ndarray]]:
    available = [str(c) for c in data.keys()]
    return _table_columns(data, _chainrule.columns_used(formula, available))


def _matrix(x: Data, y: Data, names: Optional[Sequence[str]]) -> Tuple[np.ndarray, np.ndarray, List[str]]:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2:
        raise InputError(f"X has shape {x.shape}: give a 2-D array (rows × features)")
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise InputError(f"y has shape {y.shape}: give a 1-D array, one value per row of X")
    d = x.shape[1]
    if names is None:
        names = ["x"] if d == 1 else [f"x{j + 1}" for j in range(d)]
    return x, y, list(names)


def _matrix_formula(names: Sequence[str], intercept: bool) -> str:
    terms = " + ".join(names) if names else "1"
    return f"y ~ {terms}" + ("" if intercept else " - 1")


def _formula_or_y(formula: Any, y: Data) -> Tuple[Optional[str], Data]:
    """`fit(X, y)` passes y where a formula would go: a second argument that
    is not text is y."""
    if formula is None or isinstance(formula, str):
        return formula, y
    if y is not None:
        raise InputError("y was given twice: as the second argument and as y=")
    return None, formula


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>"


class Trained:
    """A model trained by gradient descent: θ, how training went, predictions.

    ``theta`` (θ0 first when there is an intercept), ``names``, ``history``
    (J of each epoch), ``stop`` ('epochs', 'converged' or 'interrupted'),
    ``metrics`` (J, RMSE, R² on the training data), ``model_file`` (what
    ``save`` writes: the CLI's model.json).
    """

    def __init__(self, native: "_chainrule.Trained") -> None:
        self._native = native

    @property
    def theta(self) -> np.ndarray:
        return self._native.theta

    @property
    def names(self) -> List[str]:
        return self._native.names

    @property
    def history(self) -> np.ndarray:
        return self._native.history

    @property
    def stop(self) -> str:
        return self._native.stop

    @property
    def formula(self) -> str:
        return self._native.formula

    @property
    def metrics(self) -> Dict[str, Any]:
        return self._native.metrics

    @property
    def model_file(self) -> Dict[str, Any]:
        file: Dict[str, Any] = json.loads(self._native.model_json())
        return file

    def summary(self, digits: int = 7) -> str:
        """The θ table, as ``chainrule train`` prints it (``digits``
        significant digits; 17 prints every bit)."""
        return self._native.summary(digits)

    def predict(self, data: Data) -> np.ndarray:
        """z1 = θ0 + Σ θj·xj for each row: a DataFrame or mapping holding the
        formula's columns, or a 2-D X whose columns are the features."""
        return _predict(self._native, self.names, data)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the model file (the CLI's model.json) atomically."""
        self._native.save(os.fspath(path))

    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "Trained":
        """Reads a model file written by ``save`` or ``chainrule train --out``."""
        return Trained(_chainrule.Trained.load(os.fspath(path)))

    def j_svg(self) -> Optional[str]:
        """J by epoch as SVG, drawn as the HTML report draws it."""
        return self._native.j_svg()

    @property
    def first_step(self) -> Optional["Step"]:
        """The run's first step (the mode's first rows at θ = 0 with the
        run's lr), as the HTML report shows it; None once loaded from a file."""
        native = self._native.first_step
        return None if native is None else Step(native)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """The θ table, J by epoch, then the first step's graph and derivation."""
        first = self.first_step
        return (
            _pre(self.summary())
            + (self.j_svg() or "")
            + ("" if first is None else first._repr_html_())
        )

    def _repr_markdown_(self) -> str:
        first = self.first_step
        table = "```\n" + self.summary() + "\n```"
        return table if first is None else table + "\n\n" + first.markdown()


class Closed:
    """The closed-form least-squares fit: the referee training is checked against."""

    def __init__(self, native: "_chainrule.Closed") -> None:
        self._native = native

    @property
    def theta(self) -> np.ndarray:
        return self._native.theta

    @property
    def names(self) -> List[str]:
        return self._native.names

    @property
    def formula(self) -> str:
        return self._native.formula

    @property
    def std_errors(self) -> np.ndarray:
        return self._native.std_errors

    @property
    def warnings(self) -> List[str]:
        """Dropped columns (constant, all zeros, collinear), one line each."""
        return self._native.warnings

    @property
    def metrics(self) -> Dict[str, Any]:
        return self._native.metrics

    def summary(self, digits: int = 7, level: float = 0.95) -> str:
        """The table ``chainrule fit`` prints: θ with standard errors, t,
        p-values and ``level`` confidence intervals; R², adjusted R², F,
        log-likelihood, AIC and BIC."""
        return self._native.summary(digits, level)

    def predict(self, data: Data) -> np.ndarray:
        """Predictions for each row, as ``Trained.predict``."""
        return _predict(self._native, self.names, data)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return _pre(self.summary())


def _predict(native: Union["_chainrule.Trained", "_chainrule.Closed"], param_names: Sequence[str], data: Data) -> np.ndarray:
    if _is_table(data):
        return native.predict_table(*_table(data, native.formula))
    x = np.asarray(data, dtype=np.float64)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    features = [n for n in param_names if n != "θ0"]
    if x.ndim != 2 or x.shape[1] != len(features):
        raise InputError(
            f"X has shape {x.shape} but the model has {len(features)} features "
            f"({', '.join(features)}): give one column per feature"
        )
    return native.predict_table(features, [np.ascontiguousarray(x[:, j]) for j in range(x.shape[1])])


def _settings(
    mode: str,
    lr: Union[str, float],
    epochs: int,
    batch_size: Optional[int],
    seed: int,
    shuffle: Optional[bool],
    tol: Optional[float],
    standardize: bool,
    engine: Optional[str],
) -> Settings:
    if isinstance(lr, str):
        if lr != "auto":
            raise InputError(f"lr={lr!r}: expected a positive number (e.g. 0.01) or 'auto'")
        lr_value: Optional[float] = None
    else:
        lr_value = float(lr)
    return {
        "mode": mode,
        "lr": lr_value,
        "epochs": int(epochs),
        "batch_size": batch_size,
        "seed": int(seed),
        "shuffle": shuffle,
        "tol": tol,
        "standardize": bool(standardize),
        "engine": engine,
    }


def train(
    data: Data,
    formula: Any = None,
    y: Data = None,
    *,
    mode: str = "vectorized",
    lr: Union[str, float] = "auto",
    epochs: int = 1000,
    batch_size: Optional[int] = None,
    seed: int = 0,
    shuffle: Optional[bool] = None,
    tol: Optional[float] = None,
    standardize: bool = True,
    engine: Optional[str] = None,
    names: Optional[Sequence[str]] = None,
    intercept: bool = True,
) -> Trained:
    """Gradient descent by backpropagation from θ = 0, as ``chainrule train``.

    ``train(df, "y ~ x1 + x2", mode="unrolled")`` or ``train(X, y)``. The
    defaults are the CLI's: mode vectorized, lr 'auto' (1/λmax of the
    Hessian), at most 1000 epochs, the mode's batch (sample 1, unrolled 2,
    vectorized all rows), seed 0, standardized features (θ in the data's
    units; ``standardize=False`` is the lessons' plain update), and a stop
    once the gradient is ``tol`` (default 1e-12) of its size at θ = 0
    (``tol=0`` runs every epoch). The GIL is released while it runs;
    Ctrl-C (KeyboardInterrupt) stops it and returns the fit so far with
    ``stop == 'interrupted'`` and a warning.
    """
    settings = _settings(mode, lr, epochs, batch_size, seed, shuffle, tol, standardize, engine)
    formula, y = _formula_or_y(formula, y)
    if y is not None:
        x, yv, cols = _matrix(data, y, names)
        f = formula or _matrix_formula(cols, intercept)
        return Trained(_chainrule.train_matrix(f, cols, x, yv, settings))
    f = formula or "y ~ ."
    if not _is_table(data):
        raise InputError("give a DataFrame or mapping of columns with a formula, or X and y=")
    return Trained(_chainrule.train_table(f, *_table(data, f), settings))


def fit(
    data: Data,
    formula: Any = None,
    y: Data = None,
    *,
    names: Optional[Sequence[str]] = None,
    intercept: bool = True,
) -> Closed:
    """The closed-form least-squares θ (Householder QR), as ``chainrule fit``.

    ``fit(df, "y ~ x1 + x2")`` or ``fit(X, y)`` (X: n × d, y: n).
    """
    formula, y = _formula_or_y(formula, y)
    if y is not None:
        x, yv, cols = _matrix(data, y, names)
        f = formula or _matrix_formula(cols, intercept)
        return Closed(_chainrule.fit_matrix(f, cols, x, yv))
    f = formula or "y ~ ."
    if not _is_table(data):
        raise InputError("give a DataFrame or mapping of columns with a formula, or X and y=")
    return Closed(_chainrule.fit_table(f, *_table(data, f)))


def fit_csv(
    paths: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
    formula: str = "y ~ .",
) -> Closed:
    """The closed-form least-squares θ of CSV/TSV files, as ``chainrule fit
    FILE…`` reads them: several files are one data set, and the cells are
    parsed in Rust, in one parallel pass summed in double-double where that
    gives the last digit (no DataFrame is built: a few MiB for any size).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return Closed(_chainrule.fit_csv(formula, list(paths)))


def load(path: Union[str, "os.PathLike[str]"]) -> Trained:
    """Reads a model file written by ``Trained.save`` or ``chainrule train --out``."""
    return Trained.load(path)


def _step_html(native: "_chainrule.Step") -> str:
    return (
        f"<div class=\"chainrule-step\"><p><b>{html.escape(native.title)}</b></p>"
        f"{native.svg()}{_pre(native.text())}</div>"
    )


def _markdown(native: "_chainrule.Step") -> str:
    # The derivation's ```math blocks, as $$ … $$ for Jupyter's renderer.
    out: List[str] = []
    block: Optional[List[str]] = None
    for line in native.markdown().splitlines():
        if block is None and line.strip() == "```math":
            block = []
        elif block is not None and line.strip() == "```":
            out.append("$$\n" + "\n".join(block) + "\n$$")
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    return "\n".join(out)


class Trace(Dict[str, Any]):
    """The record of one forward + backward pass, as Python objects: the
    schema of ``chainrule grad --json`` ({"root": id, "nodes": [{"id",
    "name", "op", "kind", "shape", "value", "grad", "edges"}, …]}). Shows
    its graph and derivation in Jupyter."""

    def __init__(self, native: "_chainrule.Step") -> None:
        super().__init__(json.loads(native.trace_json()))
        self._native = native

    def find(self, name: str) -> Dict[str, Any]:
        """The node called `name` (its newest binding)."""
        for node in reversed(self["nodes"]):
            if node["name"] == name:
                return cast(Dict[str, Any], node)
        raise KeyError(name)

    def svg(self, all_nodes: bool = False) -> str:
        return self._native.svg(all_nodes)

    def text(self) -> str:
        """The derivation: forward, local partials, backward, whole paths."""
        return self._native.text()

    def markdown(self) -> str:
        return _markdown(self._native)

    def _repr_html_(self) -> str:
        return _step_html(self._native)

    def _repr_markdown_(self) -> str:
        return self.markdown()


class Step:
    """One step of training explained: the trace, its graph (``svg``,
    ``dot``), and the derivation (``text``, ``markdown``) with the update
    θ ← θ − lr·∂J/∂θ."""

    def __init__(self, native: "_chainrule.Step") -> None:
        self._native = native
        self.trace = Trace(native)

    @property
    def title(self) -> str:
        return self._native.title

    def svg(self, all_nodes: bool = False) -> str:
        return self._native.svg(all_nodes)

    def dot(self, all_nodes: bool = False) -> str:
        return self._native.dot(all_nodes)

    def text(self) -> str:
        return self._native.text()

    def markdown(self) -> str:
        return _markdown(self._native)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return _step_html(self._native)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def _repr_svg_(self) -> str:
        return self.svg()


def grad(program: str, of: Optional[str] = None) -> Trace:
    """Differentiates a ``grad`` program (as ``chainrule grad``) from its last
    statement or the binding `of`; returns the trace.

    >>> t = grad("x = 2; y = 3; θ = 0.5; z1 = θ * x; z2 = y - z1; L = z2^2")
    >>> t.find("θ")["grad"]     # 2·z2·(−1)·x = 2·2·(−1)·2
    [-8.0]
    """
    return Trace(_chainrule.grad(program, of))


def _rows(rows: Any) -> Optional[Tuple[int, int]]:
    if rows is None:
        return None
    if isinstance(rows, (slice, range)):
        if rows.step not in (None, 1):
            raise InputError(f"rows={rows!r}: give consecutive rows (step 1)")
        return (int(rows.start or 0), int(rows.stop))
    start, stop = rows
    return (int(start), int(stop))


def explain(
    model: str = "origin",
    data: Data = None,
    *,
    mode: str = "sample",
    rows: Any = None,
    theta: Optional[Sequence[float]] = None,
    lr: float = 0.1,
    program: Optional[str] = None,
) -> Step:
    """One forward + backward + update step, as ``chainrule explain``.

    ``explain("line", mode="unrolled")``: a lesson on its built-in data.
    ``explain("y ~ x1 + x2", df, mode="vectorized", rows=range(0, 3))``: rows
    of your data (0-based; by default 1 sample, 2 unrolled, 3 vectorized),
    at θ (zeros by default). ``explain(program="x = 2; …")``: a ``grad`` program.
    """
    if program is not None:
        return Step(_chainrule.explain_program(program, lr))
    if data is None:
        if theta is not None or rows is not None:
            raise InputError("theta= and rows= need data=; the lessons start at θ = 0")
        return Step(_chainrule.explain_lesson(model, mode))
    if not _is_table(data):
        raise InputError("data= takes a DataFrame or a mapping of columns")
    theta_list = None if theta is None else [float(t) for t in theta]
    return Step(
        _chainrule.explain_table(
            model, *_table(data, model), mode, _rows(rows), theta_list, float(lr), "data"
        )
    )


def report(
    path: Union[str, "os.PathLike[str]"],
    data: Data = None,
    formula: str = "y ~ .",
    *,
    mode: str = "vectorized",
    lr: Union[str, float] = "auto",
    epochs: int = 200,
    batch_size: Optional[int] = None,
    source: str = "data",
) -> None:
    """Writes the HTML report ``chainrule report`` writes: the nine lessons
    without data, else one run trained on `data` (a DataFrame or mapping)
    with `formula`. `source` names the data in the page's titles."""
    if data is None:
        _chainrule.report_lessons(os.fspath(path))
        return
    if not _is_table(data):
        raise InputError("data= takes a DataFrame or a mapping of columns")
    settings = _settings(mode, lr, epochs, batch_size, 0, None, None, False, None)
    _chainrule.report_table(
        os.fspath(path),
        formula,
        *_table(data, formula),
        mode,
        settings["lr"],
        settings["epochs"],
        batch_size,
        source,
    )

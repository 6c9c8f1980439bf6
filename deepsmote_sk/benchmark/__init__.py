"""The imbalance benchmark of the DSEA-SMOTE paper as one call (and one command).

:func:`run_benchmark` runs the protocol of ``PROTOCOL.md`` over a grid of
balance ratios, methods, classifiers and seeds, caches every finished cell,
fans cells out with joblib (or a Dask cluster) and writes a tidy CSV, a
Markdown summary and the paper's figures. ``deepsmote-sk benchmark`` is the
same from the command line.
"""

from ._cells import run_group
from ._data import load_benchmark_data
from ._grid import (
    CLASSIFIERS,
    DEFAULT_RATIOS,
    DEFAULT_STEPS,
    METHODS,
    Cell,
    make_grid,
    parse_ratio,
)
from ._metrics import classification_metrics, generation_metrics, two_sample_accuracy
from ._plots import make_plots
from ._reference import fit_reference
from ._report import results_frame, summarize, summary_markdown
from ._runner import run_benchmark

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_RATIOS",
    "DEFAULT_STEPS",
    "METHODS",
    "Cell",
    "classification_metrics",
    "fit_reference",
    "generation_metrics",
    "two_sample_accuracy",
    "load_benchmark_data",
    "make_grid",
    "make_plots",
    "parse_ratio",
    "results_frame",
    "run_benchmark",
    "run_group",
    "summarize",
    "summary_markdown",
]

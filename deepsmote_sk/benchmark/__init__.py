"""The imbalance benchmark of the DSEA-SMOTE paper as one call (and one command).

:func:`run_benchmark` runs the protocol of ``PROTOCOL.md`` over a grid of
balance ratios, methods, classifiers and seeds, caches every finished cell,
fans cells out with joblib (or a Dask cluster) and writes a tidy CSV, a
Markdown summary and the paper's figures. ``deepsmote-sk benchmark`` is the
same from the command line.
"""

from ._grid import CLASSIFIERS, DEFAULT_RATIOS, METHODS, Cell, make_grid, parse_ratio
from ._metrics import classification_metrics, generation_metrics
from ._plots import make_plots
from ._report import results_frame, summarize, summary_markdown
from ._runner import fit_reference, load_benchmark_data, run_benchmark, run_group

__all__ = [
    "CLASSIFIERS",
    "DEFAULT_RATIOS",
    "METHODS",
    "Cell",
    "classification_metrics",
    "fit_reference",
    "generation_metrics",
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

"""Running the benchmark: the grid, its cached cells, and the joblib / Dask fan-out.

:func:`run_benchmark` reads as its steps; each step lives where a reader
looks for it: the data and its split in ``_data``, running a group of cells
in ``_cells``, the cell cache in ``_cache``, the reference classifier of the
generation metrics in ``_reference``.

torch and scikit-learn are imported where they are used, so that importing
this package (and ``deepsmote-sk --help``) stays fast.
"""

import platform
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np

from .._version import __version__
from ._cache import _read_cells, _store_cell, _write_json
from ._cells import _accepted_params, _build_classifier, run_group
from ._data import _check_classes, _describe_data
from ._grid import (
    CLASSIFIERS,
    DEFAULT_RATIOS,
    DEFAULT_STEPS,
    METHODS,
    make_grid,
    parse_ratio,
)
from ._plots import make_plots
from ._reference import _reference_key, _references
from ._reference import _summary as _reference_summary
from ._report import _pandas, cell_ran, results_frame, summarize, summary_markdown

__all__ = ["run_benchmark"]


def run_benchmark(
    data=None,
    *,
    window=256,
    ratios=DEFAULT_RATIOS,
    methods=tuple(METHODS),
    classifiers=("resnet1d",),
    seeds=3,
    snr=None,
    n_majority=2000,
    n_test=500,
    classes=None,
    steps=None,
    max_epochs=None,
    classifier_params=None,
    sampler_params=None,
    device="cpu",
    n_jobs=1,
    scheduler=None,
    output="benchmark_results",
    plots=True,
    verbose=False,
):
    """Run the imbalance study of the DSEA-SMOTE paper over a grid of cells.

    Each cell follows ``PROTOCOL.md``: the time-ordered split of the data
    into ``n_majority`` training windows of the majority class and
    ``n_majority / N`` of every fault class for BR ``1:N`` (drawn with the
    cell's seed), ``n_test`` test windows per class; the method balances
    the training set; the classifier is trained and scored on the test
    windows. A seed fixes the minority subset, the oversampler and the
    classifier.

    Parameters
    ----------
    data : str or None, default=None
        None for the built-in bearing simulator, else the CWRU npz or a
        folder of CWRU ``.mat`` files.
    window : int, default=256
        Window length in samples (the paper's 256; 1024 as a second setting).
    ratios : sequence of str, default=("1:400", "1:100", "1:25", "1:5")
        Balance ratios ``"1:N"``, ``1 <= N <= 400``.
    methods : sequence of str, default=all of :data:`METHODS`
        ``none``, ``class_weight``, ``RandomOverSampler``, ``SMOTE``,
        ``BorderlineSMOTE``, ``ADASYN``, ``DSEASMOTE``, ``M1``, ``M2``, ``M3``.
    classifiers : sequence of str, default=("resnet1d",)
        Names of :data:`CLASSIFIERS`: ``resnet1d`` (the default: a
        shift-invariant 1-D ResNet), ``wdcnn`` (WDCNN as published),
        ``scalogram_cnn`` (the DSEA-SMOTE paper's 3-layer CNN, image mode),
        ``vgg16`` (image mode), ``classbd``, ``shapelet``, ``minirocket``.
    seeds : int or sequence of int, default=3
        Number of seeds (``0 .. seeds - 1``) or the seeds themselves.
    snr : float, optional
        Add Gaussian noise at this SNR (dB) to training and test windows.
    n_majority, n_test : int, default=2000, 500
        Training windows of the majority class; test windows per class.
    classes : sequence of str, optional
        Run on a subset of the data's classes (it must hold ``"normal"``,
        the majority class); None for all ten.
    steps : int, optional
        The training budget: every classifier trained by mini-batches (and
        the reference classifier) runs this many optimisation steps of
        ``batch_size`` rows, whatever the size of the training set a method
        returns, so no method buys its score with more training
        (PROTOCOL.md). Default: :data:`DEFAULT_STEPS` (1000), unless
        ``max_epochs`` is given.
    max_epochs : int, optional
        An epoch budget instead of ``steps`` (each classifier trains this
        many passes over whatever training set it gets, so methods that
        return more rows train longer); shorthand for
        ``classifier_params={"max_epochs": ...}``. Cannot be combined with
        ``steps``.
    classifier_params : dict, optional
        Parameters of the classifiers: each classifier takes those it knows;
        an entry named after a classifier holds parameters of that one only,
        e.g. ``{"lr": 1e-3, "vgg16": {"width": 0.25}}``.
    sampler_params : dict, optional
        Parameters of DSEASMOTE and its ablations.
    device : str, default="cpu"
        Torch device of the classifiers.
    n_jobs : int, default=1
        Cells run in parallel through joblib; each then uses one torch thread.
    scheduler : str or dask.distributed.Client, optional
        Address of a Dask scheduler (or a client): cells run on that cluster
        through Dask's joblib backend.
    output : str or path, default="benchmark_results"
        Results folder: ``cells/`` (one JSON per finished cell, the cache),
        ``reference/``, ``results.csv``, ``summary.md``, ``config.json`` and
        the plots.
    plots : bool, default=True
        Draw the figures.
    verbose : bool, default=False
        Progress bar over cells.

    Returns
    -------
    sklearn.utils.Bunch
        ``results`` (tidy DataFrame, one row per cell), ``summary``
        (mean and std over seeds), ``markdown`` (the summary table),
        ``output`` (Path), ``n_computed`` and ``n_cached`` (cells run now /
        read from the cache), ``failed`` (rows whose cell raised) and
        ``plots`` (paths).

    Notes
    -----
    The cache key of a cell is a digest of everything that defines its
    result (data digest, window, ratio, method, classifier, seed, SNR,
    sizes and parameters), not of where it runs; re-running a grid reads
    finished cells back and runs only the others. Cells that raised are
    reported (``error`` column, a warning) and retried on the next run.

    Generation metrics (PCC, G_acc, KL, JS) are defined in
    :func:`~deepsmote_sk.benchmark.generation_metrics`; they use a reference
    classifier trained on balanced real data, fitted once per run (and
    cached) before the cells.

    Threads: with ``n_jobs=1`` and no scheduler a cell uses torch's current
    thread count; otherwise each cell runs with one torch (and BLAS) thread,
    so ``n_jobs`` cells fill ``n_jobs`` cores. On the CPU the same seeds
    give bit-identical scores at the same thread count.

    See Also
    --------
    deepsmote_sk.datasets.make_imbalanced_split : The split of every cell.
    generation_metrics : PCC, G_acc, KL and JS of the generated rows.
    summarize, summary_markdown : The summary table.

    Examples
    --------
    A tiny grid on the simulator (the README's ``deepsmote-sk benchmark
    --quick`` is a larger one):

    >>> from deepsmote_sk.benchmark import run_benchmark
    >>> result = run_benchmark(ratios=["1:5"], methods=["none", "SMOTE"], seeds=1,
    ...                        n_majority=40, n_test=10, max_epochs=1,
    ...                        output="tiny_results")  # doctest: +SKIP
    >>> result.results[["ratio", "method", "accuracy"]]  # doctest: +SKIP
    """
    _pandas()  # fail now, not after hours of cells, when pandas is missing
    output = Path(output)
    steps = _budget(steps, max_epochs, classifier_params)
    if max_epochs is not None:
        classifier_params = {**(classifier_params or {}), "max_epochs": int(max_epochs)}
    data = None if data is None else str(data)
    grid = {
        "window": window,
        "ratios": ratios,
        "methods": methods,
        "classifiers": classifiers,
        "seeds": seeds,
        "snr": snr,
        "n_majority": n_majority,
        "n_test": n_test,
        "classifier_params": classifier_params,
        "sampler_params": sampler_params,
        "steps": steps,
        "device": device,
    }
    cells = _make_cells(data, classes, grid)
    needs_extras = _needs_extras(cells)
    n_threads = 1 if n_jobs != 1 or scheduler is not None else None

    (output / "cells").mkdir(parents=True, exist_ok=True)
    _write_json(output / "config.json", _config(cells, data, grid, n_jobs, scheduler))
    records = _read_cells(cells, output / "cells", needs_extras)
    n_cached = len(records)
    todo = [cell for cell in cells if cell.key not in records]
    pending = _groups(todo)
    with _parallel(n_jobs, scheduler) as parallel:
        references = _references(
            cells, pending, output / "reference", parallel, n_threads, verbose
        )
        finished = _run_groups(pending, references, needs_extras, parallel, n_threads)
        _collect(finished, records, output / "cells", len(cells), verbose)

    ordered = [records[cell.key] for cell in cells]
    results, summary, markdown = _write_results(cells, ordered, references, output)
    failed = _warn_failed(results, output)
    plot_paths = make_plots(results, ordered, output) if plots else []
    from sklearn.utils import Bunch

    return Bunch(
        results=results,
        summary=summary,
        markdown=markdown,
        output=output,
        n_computed=len(todo),
        n_cached=n_cached,
        failed=failed,
        plots=plot_paths,
    )


# -------------------------------------------------------------------- steps
def _budget(steps, max_epochs, classifier_params):
    """The step budget of the run: ``steps``, the default, or None for epochs."""
    by_epochs = max_epochs is not None or "max_epochs" in (classifier_params or {})
    if "max_steps" in (classifier_params or {}):
        raise ValueError(
            "Give the training budget as steps=, not as classifier_params['max_steps']."
        )
    if steps is not None and by_epochs:
        raise ValueError(
            "Give the training budget either as steps or as max_epochs, not both; "
            f"got steps={steps!r} and max_epochs="
            f"{max_epochs if max_epochs is not None else classifier_params['max_epochs']!r}."
        )
    if steps is None and not by_epochs:
        return DEFAULT_STEPS
    return steps


def _make_cells(data, classes, grid):
    """The cells of ``grid`` on ``data``; clear errors for unknown names."""
    dataset, data_hash = _describe_data(data)
    cells = make_grid(
        dataset=dataset,
        data_hash=data_hash,
        data=data,
        classes=_check_classes(data, classes),
        **grid,
    )
    _check_classifier_params(grid["classifier_params"], {c.classifier for c in cells})
    return cells


def _check_classifier_params(params, classifiers):
    """Every shared parameter fits some classifier, every per-classifier one its own."""
    if not params:
        return
    accepted = set()
    for name in classifiers:
        accepted |= _accepted_params(CLASSIFIERS[name])
    unknown = sorted(set(params) - accepted - set(CLASSIFIERS))
    if unknown:
        raise ValueError(
            f"classifier parameter(s) {unknown} are not accepted by any of the "
            f"classifiers {sorted(classifiers)}."
        )
    for name in set(params) & set(CLASSIFIERS):
        own = params[name]
        if not isinstance(own, dict):
            raise ValueError(
                f"classifier_params[{name!r}] must be a dict of {name}'s parameters; "
                f"got {own!r}."
            )
        wrong = sorted(set(own) - _accepted_params(CLASSIFIERS[name]))
        if wrong:
            raise ValueError(
                f"classifier parameter(s) {wrong} are not accepted by {name}."
            )


def _needs_extras(cells):
    """Which cells (by key) keep t-SNE and examples: the hardest ratio, first seed."""
    hardest = max(c.imbalance for c in cells)
    first_seed = cells[0].seed
    return {c.key: (c.imbalance == hardest and c.seed == first_seed) for c in cells}


def _groups(cells):
    """``cells`` by :attr:`Cell.group`: those sharing one resampled training set.

    Seed by seed as the grid orders them, and within a seed the groups of
    slow methods (:attr:`MethodSpec.slow`) first, so that parallel workers
    do not wait on one long resampling at the end. The results do not
    depend on the order: each cell is seeded on its own.
    """
    groups = {}
    for cell in cells:
        groups.setdefault(cell.group, []).append(cell)
    seeds = {seed: rank for rank, seed in enumerate(dict.fromkeys(c.seed for c in cells))}
    return sorted(
        groups.values(),
        key=lambda group: (seeds[group[0].seed], not METHODS[group[0].method].slow),
    )


def _run_groups(groups, references, needs_extras, parallel, n_threads):
    """Each group's records, through ``parallel``, as the groups finish."""
    tasks = [
        joblib.delayed(run_group)(
            group,
            references.get(_reference_key(group[0])),
            extras=any(needs_extras[c.key] for c in group),
            n_threads=n_threads,
        )
        for group in groups
    ]
    return parallel(tasks) if tasks else ()


def _collect(finished, records, folder, total, verbose):
    """Add each finished record to ``records`` and cache it in ``folder``."""
    from tqdm.auto import tqdm

    with tqdm(
        total=total,
        initial=len(records),
        desc="benchmark cells",
        disable=not verbose,
    ) as bar:
        for group_records in finished:
            for record in group_records:
                records[record["key"]] = record
                _store_cell(folder, record)
            bar.update(len(group_records))


def _write_results(cells, records, references, output):
    """``results.csv`` and ``summary.md``; the results, summary and its Markdown."""
    results = results_frame(
        [record["row"] for record in records], methods=[c.method for c in cells]
    )
    results.to_csv(output / "results.csv", index=False)
    summary = summarize(results)
    markdown = summary_markdown(
        summary, title=_title(cells), references=_reference_summary(references)
    )
    (output / "summary.md").write_text(markdown)
    return results, summary, markdown


def _warn_failed(results, output):
    """The rows of cells that raised, with a warning when there are any."""
    failed = results[~cell_ran(results)]
    if len(failed):
        warnings.warn(
            f"{len(failed)} benchmark cell(s) failed; see the 'error' column of "
            f"{output / 'results.csv'} (first: {failed['error'].iloc[0]})",
            RuntimeWarning,
            stacklevel=3,  # the caller of run_benchmark
        )
    return failed


def _title(cells):
    cell = cells[0]
    snr = "clean" if cell.snr is None else f"SNR {cell.snr:g} dB"
    seeds = len({c.seed for c in cells})
    classes = f" (classes {cell.classes.replace(',', ', ')})" if cell.classes else ""
    budget = (
        "epoch budget"
        if cell.steps is None
        else f"{cell.steps} training steps for every method"
    )
    return (
        f"{cell.dataset}{classes}, window {cell.window}, {snr}, {cell.n_majority} "
        f"majority training windows, {cell.n_test} test windows per class, "
        f"{seeds} seed(s), {budget}"
    )


def _batch_size(cell):
    """Mini-batch size of the cell's classifier, as the cell would build it."""
    classifier = _build_classifier(
        cell.classifier, cell, class_weight=None, random_state=None, image_shape=None
    )
    return getattr(classifier, "batch_size", None)


def _config(cells, data, grid, n_jobs, scheduler):
    """What ``config.json`` records of a run: its grid, where it ran, versions."""
    import imblearn
    import sklearn
    import torch

    return {
        "package": "deepsmote_sk",
        "version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": None if data is None else str(data),
        "dataset": cells[0].dataset,
        "data_hash": cells[0].data_hash,
        "window": int(grid["window"]),
        "ratios": list(dict.fromkeys(f"1:{parse_ratio(r)}" for r in grid["ratios"])),
        "methods": list(grid["methods"]),
        "classifiers": list(grid["classifiers"]),
        "seeds": sorted({c.seed for c in cells}),
        "snr": grid["snr"],
        "n_majority": int(grid["n_majority"]),
        "n_test": int(grid["n_test"]),
        "classes": cells[0].classes.split(",") if cells[0].classes else None,
        "classifier_params": grid["classifier_params"] or {},
        "sampler_params": grid["sampler_params"] or {},
        "steps": grid["steps"],
        "batch_size": _batch_size(cells[0]),
        "device": grid["device"],
        "n_jobs": n_jobs,
        "scheduler": (
            None
            if scheduler is None
            else str(getattr(scheduler, "scheduler", scheduler))
        ),
        "n_cells": len(cells),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "imbalanced-learn": imblearn.__version__,
        "numpy": np.__version__,
    }


# ----------------------------------------------------------------- fan-out
@contextmanager
def _parallel(n_jobs, scheduler):
    """A joblib ``Parallel`` yielding results as they finish, local or on Dask."""
    if scheduler is None:
        yield joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        return
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ImportError(
            "scheduler= needs dask.distributed: pip install 'dask[distributed]'"
        ) from exc
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    owned = client is not scheduler
    try:
        with joblib.parallel_config(backend="dask"):
            yield joblib.Parallel(
                n_jobs=-1 if n_jobs == 1 else n_jobs, return_as="generator_unordered"
            )
    finally:
        if owned:
            client.close()

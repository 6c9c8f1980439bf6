"""Running the benchmark: cells, their cache, and the joblib / Dask fan-out.

torch and scikit-learn are imported where they are used, so that importing
this package (and ``deepsmote-sk --help``) stays fast.
"""

import functools
import hashlib
import json
import os
import platform
import time
import warnings
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import joblib
import numpy as np

from .._version import __version__
from ._grid import CLASSIFIERS, DEFAULT_RATIOS, METHODS, make_grid, parse_ratio
from ._metrics import (
    classification_metrics,
    features_of,
    generation_metrics,
    tsne_embedding,
)
from ._report import _pandas, cell_ran, results_frame, summarize, summary_markdown

__all__ = ["fit_reference", "load_benchmark_data", "run_benchmark", "run_group"]

#: Real rows per class kept for the generation metrics (nearest-neighbour
#: PCC and the value histograms of KL/JS): enough for a stable histogram,
#: small enough to ship to every worker.
_POOL_PER_CLASS = 200

#: Test rows per class embedded by t-SNE at the hardest balance ratio.
_TSNE_PER_CLASS = 30

#: Seed of the reference classifier (G_acc) and of its real-data split; fixed
#: so every cell of a run is judged by the same reference.
_REFERENCE_SEED = 0

#: The simulator's classes: the ten classes of the CWRU 0 hp data.
SIMULATOR_CLASSES = (
    "normal",
    "IR007",
    "B007",
    "OR007",
    "IR014",
    "B014",
    "OR014",
    "IR021",
    "B021",
    "OR021",
)

#: Version of the cache layout; bump it when a cell's stored result changes.
_CACHE_VERSION = 1


# --------------------------------------------------------------------- data
@functools.lru_cache(maxsize=4)
def load_benchmark_data(data=None):
    """The signals a benchmark runs on, loaded once per process.

    Parameters
    ----------
    data : str or None
        None for the built-in bearing simulator
        (:func:`~deepsmote_sk.datasets.make_bearing_signals` with the ten
        classes of the CWRU data, ``random_state=0``), else the path
        of the CWRU npz or of a folder of CWRU ``.mat`` files
        (:func:`~deepsmote_sk.datasets.load_cwru`).

    Returns
    -------
    sklearn.utils.Bunch
        ``signals`` (dict class name -> 1-D array), ``fs``, ``class_names``.
    """
    from .. import datasets

    if data is None:
        return datasets.make_bearing_signals(SIMULATOR_CLASSES, random_state=0)
    return datasets.load_cwru(str(data))


def _describe_data(data):
    """Label for the CSV and a digest of the signals themselves."""
    bunch = load_benchmark_data(data)
    digest = hashlib.sha256(str(bunch.fs).encode())
    for name in bunch.class_names:
        digest.update(str(name).encode())
        digest.update(np.ascontiguousarray(bunch.signals[name]).tobytes())
    label = "simulator" if data is None else Path(str(data)).name.split(".")[0]
    return label, digest.hexdigest()[:16]


def _check_classes(data, classes):
    """The requested classes, in the data's order; a clear error for unknown names."""
    if not classes:
        return None
    available = [str(c) for c in load_benchmark_data(data).class_names]
    unknown = [c for c in classes if c not in available]
    if unknown:
        raise ValueError(f"Unknown classes {unknown}; the data has {available}.")
    if "normal" not in classes:
        raise ValueError(
            f"classes must include the majority class 'normal'; got {list(classes)}."
        )
    if len(set(classes)) < 2:
        raise ValueError(f"At least two classes are needed; got {list(classes)}.")
    return [c for c in available if c in classes]


def _split(data, *, ratio, window, seed, n_majority, n_test, snr, classes=""):
    """The protocol's time-ordered split, with optional noise at ``snr`` dB.

    ``classes`` (comma-separated) keeps a subset of the data's classes. With
    ``snr`` the raw windows get Gaussian noise at that SNR, computed from
    each window's own mean power, training and test windows alike, and are
    standardised afterwards (PROTOCOL.md, noise robustness).
    """
    from ..datasets import make_imbalanced_split, standardize_windows

    bunch = load_benchmark_data(data)
    if classes:
        names = classes.split(",")
        bunch = {
            "signals": {name: bunch.signals[name] for name in names},
            "class_names": names,
        }
    X_train, y_train, X_test, y_test = make_imbalanced_split(
        bunch,
        ratio=ratio,
        window=window,
        random_state=seed,
        n_majority=n_majority,
        n_test=n_test,
        standardize=snr is None,
    )
    if snr is not None:
        from ..noise import add_noise

        X_train = standardize_windows(add_noise(X_train, snr, random_state=seed))
        X_test = standardize_windows(add_noise(X_test, snr, random_state=seed))
    return X_train, np.asarray(y_train), X_test, np.asarray(y_test)


def _to_images(X_train, X_test):
    """Scalogram images (flattened) for image-mode classifiers, and their shape."""
    from ..wavelets import CWTTransformer

    transformer = CWTTransformer()
    images_train = transformer.fit_transform(X_train)
    images_test = transformer.transform(X_test)
    return images_train, images_test, tuple(transformer.image_shape_)


# ---------------------------------------------------------------- reference
def _reference_key(cell):
    config = {
        "data_hash": cell.data_hash,
        "window": cell.window,
        "snr": cell.snr,
        "n_majority": cell.n_majority,
        "n_test": cell.n_test,
        "mode": cell.mode,
        "classes": cell.classes,
        "classifier_params": cell.classifier_params,
        "seed": _REFERENCE_SEED,
        "version": _CACHE_VERSION,
    }
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:20]


def fit_reference(cell, n_threads=None):
    """The reference classifier of G_acc and the real pool of PCC, KL and JS.

    A WDCNN (a scalogram CNN in image mode) is trained on *balanced real*
    data: ``n_majority`` training windows of every class (BR 1:1) from the
    training regions of the time-ordered split. Its accuracy on the real
    test windows is recorded so a reader can judge how much G_acc means.

    Returns
    -------
    dict
        ``model``, ``X_pool``, ``y_pool`` (``_POOL_PER_CLASS`` real training
        rows per class, in the classifier's input space) and
        ``test_accuracy``.
    """
    from ..utils import torch_threads

    with torch_threads(n_threads), _thread_limit(n_threads):
        X_train, y_train, X_test, y_test = _split(
            cell.data,
            ratio="1:1",
            window=cell.window,
            seed=_REFERENCE_SEED,
            n_majority=cell.n_majority,
            n_test=cell.n_test,
            snr=cell.snr,
            classes=cell.classes,
        )
        image_shape = None
        if cell.mode == "image":
            X_train, X_test, image_shape = _to_images(X_train, X_test)
        spec = CLASSIFIERS["scalogram_cnn" if cell.mode == "image" else "wdcnn"]
        params = _params_for(spec, json.loads(cell.classifier_params))
        model = spec.build(
            params,
            class_weight=None,
            random_state=_REFERENCE_SEED,
            device=cell.device,
            image_shape=image_shape,
        )
        model.fit(X_train, y_train)
        test_accuracy = float(np.mean(model.predict(X_test) == y_test))
        rng = np.random.RandomState(_REFERENCE_SEED)
        pool = np.concatenate(
            [
                rng.permutation(np.flatnonzero(y_train == label))[:_POOL_PER_CLASS]
                for label in np.unique(y_train)
            ]
        )
        return {
            "model": model,
            "X_pool": X_train[pool],
            "y_pool": y_train[pool],
            "test_accuracy": test_accuracy,
            "n_per_class": int(
                np.min(np.bincount(np.unique(y_train, return_inverse=True)[1]))
            ),
        }


def _params_for(spec, params):
    """The entries of ``params`` that ``spec``'s estimator accepts."""
    import importlib

    cls = getattr(importlib.import_module("deepsmote_sk.classifiers"), spec.class_name)
    accepted = cls().get_params()
    return {key: value for key, value in params.items() if key in accepted}


# -------------------------------------------------------------------- cells
@contextmanager
def _thread_limit(n_threads):
    if n_threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(int(n_threads)):
        yield


def run_group(cells, reference=None, *, extras=False, n_threads=None):
    """Run cells that share one resampled training set (one per classifier).

    Parameters
    ----------
    cells : list of Cell
        Same :attr:`Cell.group`, different classifiers.
    reference : dict, optional
        :func:`fit_reference` of the cells' mode; needed for the generation
        metrics of methods that generate rows.
    extras : bool
        Also store the t-SNE embedding of the test features and example rows
        (for the plots of the hardest balance ratio).
    n_threads : int, optional
        Torch and BLAS threads while the group runs (1 when cells run in
        parallel, so workers do not oversubscribe the CPU).

    Returns
    -------
    list of dict
        One record per cell: ``key``, ``config``, ``row`` (the CSV row) and
        ``extras`` (confusion matrix, class names, and with ``extras`` the
        embedding and examples). A cell that raises gets its error message
        in ``row["error"]`` and NaN metrics.
    """
    from ..utils import torch_threads

    first = cells[0]
    method = METHODS[first.method]
    with torch_threads(n_threads), _thread_limit(n_threads):
        try:
            X_train, y_train, X_test, y_test = _split(
                first.data,
                ratio=first.ratio,
                window=first.window,
                seed=first.seed,
                n_majority=first.n_majority,
                n_test=first.n_test,
                snr=first.snr,
                classes=first.classes,
            )
            image_shape = None
            if first.mode == "image":
                X_train, X_test, image_shape = _to_images(X_train, X_test)
            counts = Counter(y_train.tolist())
            n_min = min(counts.values())
            start = time.perf_counter()
            X_fit, y_fit, acceptance = X_train, y_train, np.nan
            if method.build is not None:
                sampler = method.build(
                    n_min,
                    first.seed,
                    json.loads(first.sampler_params),
                    image_shape,
                    first.device,
                )
                X_fit, y_fit = sampler.fit_resample(X_train, y_train)
                X_fit, y_fit = np.asarray(X_fit), np.asarray(y_fit)
                acceptance = _acceptance(sampler)
            resample_time = time.perf_counter() - start
            X_syn, y_syn = X_fit[len(X_train) :], y_fit[len(y_train) :]
            generation = {"pcc": np.nan, "g_acc": np.nan, "kl": np.nan, "js": np.nan}
            if method.generates and reference is not None and len(y_syn):
                generation = generation_metrics(
                    X_syn,
                    y_syn,
                    reference["X_pool"],
                    reference["y_pool"],
                    reference["model"],
                    mode=first.mode,
                )
            examples = (
                _examples(X_train, y_train, X_syn, y_syn)
                if extras and method.generates
                else None
            )
        except Exception as exc:  # a failed cell must not stop a long run
            return [_failed(cell, exc) for cell in cells]
        shared = {
            "n_train": int(len(y_train)),
            "n_min": int(n_min),
            "n_synthetic": int(len(y_syn)),
            "resample_time": resample_time,
            "acceptance": acceptance,
            **generation,
        }
        return [
            _run_cell(
                cell,
                X_fit,
                y_fit,
                X_test,
                y_test,
                shared,
                image_shape,
                extras,
                examples,
            )
            for cell in cells
        ]


def _acceptance(sampler):
    """Share of decoded rows DSEASMOTE's filter accepted (NaN for other samplers)."""
    quality = getattr(sampler, "quality_", None)
    if not quality:
        return np.nan
    drawn = sum(q["n_drawn"] for q in quality.values())
    return (
        float(sum(q["n_accepted"] for q in quality.values()) / drawn)
        if drawn
        else np.nan
    )


def _run_cell(
    cell, X_fit, y_fit, X_test, y_test, shared, image_shape, extras, examples
):
    try:
        spec = CLASSIFIERS[cell.classifier]
        classifier = spec.build(
            _params_for(spec, json.loads(cell.classifier_params)),
            class_weight=METHODS[cell.method].class_weight,
            random_state=cell.seed,
            device=cell.device,
            image_shape=image_shape,
        )
        start = time.perf_counter()
        classifier.fit(X_fit, y_fit)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = classifier.predict(X_test)
        predict_time = time.perf_counter() - start
        # The data's class order (the split returns rows class by class).
        labels = np.array(list(dict.fromkeys(np.concatenate([y_test, y_fit]).tolist())))
        scores, confusion = classification_metrics(y_test, y_pred, labels)
        record_extras = {
            "labels": [_jsonable(v) for v in labels],
            "confusion": confusion.tolist(),
        }
        if extras:
            rng = np.random.RandomState(cell.seed)
            keep = np.concatenate(
                [
                    rng.permutation(np.flatnonzero(y_test == label))[:_TSNE_PER_CLASS]
                    for label in labels
                ]
            )
            embedding = tsne_embedding(
                features_of(classifier, X_test[keep]), random_state=cell.seed
            )
            record_extras["embedding"] = np.round(embedding, 4).tolist()
            record_extras["embedding_labels"] = [_jsonable(v) for v in y_test[keep]]
            record_extras["examples"] = examples
            record_extras["image_shape"] = list(image_shape) if image_shape else None
    except Exception as exc:  # a failed cell must not stop a long run
        return _failed(cell, exc)
    row = {
        **_id_columns(cell),
        **shared,
        **scores,
        "fit_time": fit_time,
        "predict_time": predict_time,
        "error": "",
    }
    return {
        "key": cell.key,
        "config": cell.config(),
        "row": row,
        "extras": record_extras,
        "version": _CACHE_VERSION,
        "package_version": __version__,
    }


def _id_columns(cell):
    return {
        "dataset": cell.dataset,
        "window": cell.window,
        "ratio": cell.ratio,
        "imbalance": cell.imbalance,
        "snr": cell.snr,
        "method": cell.method,
        "classifier": cell.classifier,
        "seed": cell.seed,
        "key": cell.key,
    }


def _failed(cell, exc):
    message = f"{type(exc).__name__}: {exc}"
    return {
        "key": cell.key,
        "config": cell.config(),
        "row": {**_id_columns(cell), "error": message},
        "extras": {},
        "version": _CACHE_VERSION,
        "package_version": __version__,
        "failed": True,
    }


def _examples(X_real, y_real, X_syn, y_syn):
    """One real and one synthetic row of each class that received synthetic rows."""
    examples = {}
    for label in [
        c for c in dict.fromkeys(y_real.tolist()) if c in set(y_syn.tolist())
    ]:
        real = X_real[np.flatnonzero(y_real == label)[0]]
        synthetic = X_syn[np.flatnonzero(y_syn == label)[0]]
        examples[str(_jsonable(label))] = {
            "real": np.round(np.asarray(real, dtype=float), 5).tolist(),
            "synthetic": np.round(np.asarray(synthetic, dtype=float), 5).tolist(),
        }
    return examples


def _jsonable(value):
    return value.item() if isinstance(value, np.generic) else value


# -------------------------------------------------------------------- cache
def _write_json(path, payload):
    """Write atomically, so an interrupted run never leaves a half cell."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(payload, default=_jsonable))
    os.replace(tmp, path)


def _read_cell(path, cell, need_extras):
    """The cached record of ``cell``, or None when it must run (again)."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("version") != _CACHE_VERSION or record.get("failed"):
        return None
    if record.get("config") != json.loads(json.dumps(cell.config())):
        return None
    if need_extras and "embedding" not in record.get("extras", {}):
        return None
    return record


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


def run_benchmark(
    data=None,
    *,
    window=256,
    ratios=DEFAULT_RATIOS,
    methods=tuple(METHODS),
    classifiers=("wdcnn",),
    seeds=3,
    snr=None,
    n_majority=2000,
    n_test=500,
    classes=None,
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
    classifiers : sequence of str, default=("wdcnn",)
        ``wdcnn``, ``scalogram_cnn`` (image mode), ``classbd``, ``shapelet``.
    seeds : int or sequence of int, default=3
        Number of seeds (``0 .. seeds - 1``) or the seeds themselves.
    snr : float, optional
        Add Gaussian noise at this SNR (dB) to training and test windows.
    n_majority, n_test : int, default=2000, 500
        Training windows of the majority class; test windows per class.
    classes : sequence of str, optional
        Run on a subset of the data's classes (it must hold ``"normal"``,
        the majority class); None for all ten.
    max_epochs : int, optional
        Epochs of every classifier (and of the reference classifier);
        shorthand for ``classifier_params={"max_epochs": ...}``.
    classifier_params : dict, optional
        Parameters of the classifiers (each classifier takes those it knows).
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
    if max_epochs is not None:
        classifier_params = {**(classifier_params or {}), "max_epochs": int(max_epochs)}
    data = None if data is None else str(data)
    dataset, data_hash = _describe_data(data)
    classes = _check_classes(data, classes)
    cells = make_grid(
        dataset=dataset,
        data_hash=data_hash,
        data=data,
        window=window,
        ratios=ratios,
        methods=methods,
        classifiers=classifiers,
        seeds=seeds,
        snr=snr,
        n_majority=n_majority,
        n_test=n_test,
        classes=classes,
        classifier_params=classifier_params,
        sampler_params=sampler_params,
        device=device,
    )
    _check_classifier_params(classifier_params, {c.classifier for c in cells})
    hardest = max(c.imbalance for c in cells)
    first_seed = cells[0].seed
    needs_extras = {
        c.key: (c.imbalance == hardest and c.seed == first_seed) for c in cells
    }
    parallel_run = n_jobs != 1 or scheduler is not None
    n_threads = 1 if parallel_run else None

    (output / "cells").mkdir(parents=True, exist_ok=True)
    _write_json(
        output / "config.json",
        _config(
            cells,
            data,
            window,
            ratios,
            methods,
            classifiers,
            seeds,
            snr,
            n_majority,
            n_test,
            classifier_params,
            sampler_params,
            device,
            n_jobs,
            scheduler,
        ),
    )
    records = {}
    for cell in cells:
        record = _read_cell(
            output / "cells" / f"{cell.key}.json", cell, needs_extras[cell.key]
        )
        if record is not None:
            records[cell.key] = record
    n_cached = len(records)
    todo = [cell for cell in cells if cell.key not in records]
    groups = {}
    for cell in todo:
        groups.setdefault(cell.group, []).append(cell)

    ref_cells = {_reference_key(c): c for c in cells if METHODS[c.method].generates}
    needed = {
        _reference_key(g[0]) for g in groups.values() if METHODS[g[0].method].generates
    }
    with _parallel(n_jobs, scheduler) as parallel:
        references = _references(
            ref_cells, needed, output, parallel, n_threads, verbose
        )
        tasks = [
            joblib.delayed(run_group)(
                group,
                references.get(_reference_key(group[0])),
                extras=any(needs_extras[c.key] for c in group),
                n_threads=n_threads,
            )
            for group in groups.values()
        ]
        from tqdm.auto import tqdm

        with tqdm(
            total=len(cells),
            initial=n_cached,
            desc="benchmark cells",
            disable=not verbose,
        ) as bar:
            for group_records in (parallel(tasks) if tasks else ()):
                for record in group_records:
                    records[record["key"]] = record
                    if not record.get("failed"):
                        _write_json(output / "cells" / f"{record['key']}.json", record)
                bar.update(len(group_records))

    ordered = [records[cell.key] for cell in cells]
    results = results_frame(
        [record["row"] for record in ordered], methods=[c.method for c in cells]
    )
    results.to_csv(output / "results.csv", index=False)
    summary = summarize(results)
    ref_info = {
        key: {
            "classifier": type(ref["model"]).__name__,
            "test_accuracy": ref["test_accuracy"],
            "n_per_class": ref["n_per_class"],
        }
        for key, ref in references.items()
    }
    markdown = summary_markdown(summary, title=_title(cells), references=ref_info)
    (output / "summary.md").write_text(markdown)
    failed = results[~cell_ran(results)]
    if len(failed):
        warnings.warn(
            f"{len(failed)} benchmark cell(s) failed; see the 'error' column of "
            f"{output / 'results.csv'} (first: {failed['error'].iloc[0]})",
            RuntimeWarning,
            stacklevel=2,
        )
    from sklearn.utils import Bunch

    plot_paths = []
    if plots:
        from ._plots import make_plots

        plot_paths = make_plots(results, ordered, output)
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


def _references(ref_cells, needed, output, parallel, n_threads, verbose):
    """Reference bundles by key: read from ``reference/`` or, if ``needed``, fitted.

    A reference that cannot be fitted is reported with a warning; the cells
    then run without generation metrics (NaN).
    """
    from tqdm.auto import tqdm

    folder = output / "reference"
    folder.mkdir(exist_ok=True)
    references, missing = {}, {}
    for key, cell in ref_cells.items():
        path = folder / f"{key}.joblib"
        if path.exists():
            try:
                references[key] = joblib.load(path)
                continue
            except Exception:  # an unreadable cache entry is refitted
                pass
        if key in needed:
            missing[key] = cell
    if missing:
        fitted = parallel(
            joblib.delayed(_keyed_reference)(key, cell, n_threads)
            for key, cell in missing.items()
        )
        for key, reference in tqdm(
            fitted,
            total=len(missing),
            desc="reference classifiers",
            disable=not verbose,
        ):
            if isinstance(reference, str):
                warnings.warn(
                    "The reference classifier of the generation metrics could not be "
                    f"fitted ({reference}); PCC, G_acc, KL and JS are left empty.",
                    RuntimeWarning,
                    stacklevel=3,
                )
                continue
            tmp = folder / f"{key}.tmp{os.getpid()}"
            joblib.dump(reference, tmp)
            os.replace(tmp, folder / f"{key}.joblib")
            references[key] = reference
    return references


def _keyed_reference(key, cell, n_threads):
    try:
        return key, fit_reference(cell, n_threads)
    except Exception as exc:  # reported by the caller; the cells still run
        return key, f"{type(exc).__name__}: {exc}"


def _check_classifier_params(params, classifiers):
    if not params:
        return
    import importlib

    module = importlib.import_module("deepsmote_sk.classifiers")
    accepted = set()
    for name in classifiers:
        accepted |= set(getattr(module, CLASSIFIERS[name].class_name)().get_params())
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise ValueError(
            f"classifier parameter(s) {unknown} are not accepted by any of the "
            f"classifiers {sorted(classifiers)}."
        )


def _title(cells):
    cell = cells[0]
    snr = "clean" if cell.snr is None else f"SNR {cell.snr:g} dB"
    seeds = len({c.seed for c in cells})
    classes = f" (classes {cell.classes.replace(',', ', ')})" if cell.classes else ""
    return (
        f"{cell.dataset}{classes}, window {cell.window}, {snr}, {cell.n_majority} "
        f"majority training windows, {cell.n_test} test windows per class, "
        f"{seeds} seed(s)"
    )


def _config(
    cells,
    data,
    window,
    ratios,
    methods,
    classifiers,
    seeds,
    snr,
    n_majority,
    n_test,
    classifier_params,
    sampler_params,
    device,
    n_jobs,
    scheduler,
):
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
        "window": int(window),
        "ratios": list(dict.fromkeys(f"1:{parse_ratio(r)}" for r in ratios)),
        "methods": list(methods),
        "classifiers": list(classifiers),
        "seeds": sorted({c.seed for c in cells}),
        "snr": snr,
        "n_majority": int(n_majority),
        "n_test": int(n_test),
        "classes": cells[0].classes.split(",") if cells[0].classes else None,
        "classifier_params": classifier_params or {},
        "sampler_params": sampler_params or {},
        "device": device,
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

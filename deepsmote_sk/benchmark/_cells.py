"""Running cells: resample once per group, then train and score each classifier.

torch and scikit-learn are imported where they are used, so that importing
this package (and ``deepsmote-sk --help``) stays fast.
"""

import json
import time
from collections import Counter
from contextlib import contextmanager

import numpy as np

from ._cache import _jsonable, _record
from ._data import _cell_data
from ._grid import CLASSIFIERS, METHODS
from ._metrics import (
    classification_metrics,
    features_of,
    generation_metrics,
    tsne_embedding,
    two_sample_accuracy,
)

__all__ = ["run_group"]

#: Test rows per class embedded by t-SNE at the hardest balance ratio.
_TSNE_PER_CLASS = 30


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
    first = cells[0]
    method = METHODS[first.method]
    with _limited_threads(n_threads):
        try:
            X_train, y_train, X_test, y_test, image_shape = _cell_data(
                first, ratio=first.ratio, seed=first.seed
            )
            n_min = min(Counter(y_train.tolist()).values())
            X_fit, y_fit, acceptance, resample_time = _resample(
                first, X_train, y_train, n_min, image_shape
            )
            X_syn, y_syn = X_fit[len(X_train) :], y_fit[len(y_train) :]
            generation = _generation_scores(
                first, reference, X_syn, y_syn, X_train, y_train, image_shape
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


def _resample(cell, X_train, y_train, n_min, image_shape):
    """The training set balanced by the cell's method, its acceptance and time."""
    method = METHODS[cell.method]
    start = time.perf_counter()
    X_fit, y_fit, acceptance = X_train, y_train, np.nan
    if method.build is not None:
        sampler = method.build(
            n_min,
            cell.seed,
            json.loads(cell.sampler_params),
            image_shape,
            cell.device,
        )
        X_fit, y_fit = sampler.fit_resample(X_train, y_train)
        X_fit, y_fit = np.asarray(X_fit), np.asarray(y_fit)
        acceptance = _acceptance(sampler)
    return X_fit, y_fit, acceptance, time.perf_counter() - start


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


def _generation_scores(cell, reference, X_syn, y_syn, X_train, y_train, image_shape):
    """PCC, G_acc, KL, JS and C2ST of the generated rows (NaN when there are none).

    The first four compare them with the reference's pool of real rows; the
    two-sample test with the real rows the method was given.
    """
    if not (METHODS[cell.method].generates and reference is not None and len(y_syn)):
        return {name: np.nan for name in ("pcc", "g_acc", "kl", "js", "c2st")}
    scores = generation_metrics(
        X_syn,
        y_syn,
        reference["X_pool"],
        reference["y_pool"],
        reference["model"],
        mode=cell.mode,
    )
    scores["c2st"] = two_sample_accuracy(
        X_syn, y_syn, X_train, y_train, mode=cell.mode, image_shape=image_shape
    )
    return scores


def _run_cell(
    cell, X_fit, y_fit, X_test, y_test, shared, image_shape, extras, examples
):
    try:
        classifier = _build_classifier(
            cell.classifier,
            cell,
            class_weight=METHODS[cell.method].class_weight,
            random_state=cell.seed,
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
            record_extras.update(
                _embedding(cell, classifier, X_test, y_test, labels),
                examples=examples,
                image_shape=list(image_shape) if image_shape else None,
            )
    except Exception as exc:  # a failed cell must not stop a long run
        return _failed(cell, exc)
    row = {
        **_id_columns(cell),
        **shared,
        **scores,
        **_training_budget(classifier),
        "fit_time": fit_time,
        "predict_time": predict_time,
        "error": "",
    }
    return _record(cell, row, record_extras)


def _embedding(cell, classifier, X_test, y_test, labels):
    """t-SNE of the classifier's features of ``_TSNE_PER_CLASS`` test rows a class."""
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
    return {
        "embedding": np.round(embedding, 4).tolist(),
        "embedding_labels": [_jsonable(v) for v in y_test[keep]],
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
    return _record(cell, {**_id_columns(cell), "error": message}, {}, failed=True)


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


# --------------------------------------------------------------- classifier
def _build_classifier(name, cell, *, class_weight, random_state, image_shape):
    """The classifier ``name`` of a cell, with the cell's parameters it accepts.

    The one place a benchmark classifier is built: the cells' classifiers and
    the reference classifier alike. A classifier trained by steps gets the
    cell's step budget (``max_steps``), whatever the size of the training
    set the method made: every method of a cell gets the same training.
    """
    spec = CLASSIFIERS[name]
    params = _params_for(spec, json.loads(cell.classifier_params))
    if cell.steps is not None and spec.budget == "steps":
        params["max_steps"] = cell.steps
    return spec.build(
        params,
        class_weight=class_weight,
        random_state=random_state,
        device=cell.device,
        image_shape=image_shape,
    )


def _training_budget(classifier):
    """The CSV columns of how long a classifier trained.

    ``steps`` is the cell's budget and ``n_steps`` what the classifier ran
    (they differ only with early stopping); both are empty for a classifier
    not trained by steps (MiniRocket's closed-form ridge).
    """
    return {
        "steps": getattr(classifier, "max_steps", None),
        "n_steps": getattr(classifier, "n_steps_", None),
        "batch_size": getattr(classifier, "batch_size", None),
        "epochs": getattr(classifier, "n_iter_", None),
    }


def _params_for(spec, params):
    """``spec``'s fixed parameters, then those of ``params`` its estimator takes.

    An entry of ``params`` named after a classifier (``{"vgg16": {"width":
    0.25}}``) holds parameters of that classifier only and wins over the
    shared entries.
    """
    accepted = _accepted_params(spec)
    shared = {
        key: value
        for key, value in params.items()
        if key in accepted and key not in CLASSIFIERS
    }
    return {**spec.params, **shared, **params.get(spec.name, {})}


def _accepted_params(spec):
    """The parameter names of ``spec``'s estimator."""
    import importlib

    cls = getattr(importlib.import_module("deepsmote_sk.classifiers"), spec.class_name)
    return set(cls().get_params())


# ------------------------------------------------------------------ threads
@contextmanager
def _limited_threads(n_threads):
    """Torch and BLAS threads limited to ``n_threads`` (None: left as they are)."""
    from ..utils import torch_threads

    with torch_threads(n_threads), _blas_threads(n_threads):
        yield


@contextmanager
def _blas_threads(n_threads):
    if n_threads is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(int(n_threads)):
        yield

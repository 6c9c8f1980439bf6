"""The reference classifier of the generation metrics, fitted once and cached.

G_acc needs a classifier trained on balanced real data, and PCC, KL and JS a
pool of real rows; both are fitted once per data, mode and classifier
parameters, and kept in ``reference/<key>.joblib``.
"""

import hashlib
import json
import warnings

import joblib
import numpy as np

from ._cache import _CACHE_VERSION, _write_atomically
from ._cells import _build_classifier, _limited_threads
from ._data import _cell_data
from ._grid import METHODS

__all__ = ["fit_reference"]

#: Real rows per class kept for the generation metrics (nearest-neighbour
#: PCC and the value histograms of KL/JS): enough for a stable histogram,
#: small enough to ship to every worker.
_POOL_PER_CLASS = 200

#: Seed of the reference classifier (G_acc) and of its real-data split; fixed
#: so every cell of a run is judged by the same reference.
_REFERENCE_SEED = 0


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
        "steps": cell.steps,
        "classifier": _reference_classifier(cell),
        "seed": _REFERENCE_SEED,
        "version": _CACHE_VERSION,
    }
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:20]


def _reference_classifier(cell):
    """The reference's classifier: the default downstream of the cell's mode."""
    return "scalogram_cnn" if cell.mode == "image" else "resnet1d"


def fit_reference(cell, n_threads=None):
    """The reference classifier of G_acc and the real pool of PCC, KL and JS.

    The benchmark's default downstream, a 1-D ResNet (a scalogram CNN in
    image mode), is trained on *balanced real* data with the cell's step
    budget: ``n_majority`` training windows of every class (BR 1:1) from the
    training regions of the time-ordered split. Its accuracy on the real
    test windows is recorded so a reader can judge how much G_acc means.

    Returns
    -------
    dict
        ``model``, ``X_pool``, ``y_pool`` (``_POOL_PER_CLASS`` real training
        rows per class, in the classifier's input space) and
        ``test_accuracy``.
    """
    with _limited_threads(n_threads):
        X_train, y_train, X_test, y_test, image_shape = _cell_data(
            cell, ratio="1:1", seed=_REFERENCE_SEED
        )
        model = _build_classifier(
            _reference_classifier(cell),
            cell,
            class_weight=None,
            random_state=_REFERENCE_SEED,
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


def _references(cells, pending, folder, parallel, n_threads, verbose):
    """Reference bundles by key: read from ``folder`` or fitted for ``pending``.

    Every cached reference of the grid's generating cells is read (the summary
    reports them); those the ``pending`` groups need and the cache lacks are
    fitted through ``parallel``. A reference that cannot be fitted is reported
    with a warning; the cells then run without generation metrics (NaN).
    """
    ref_cells = {_reference_key(c): c for c in cells if METHODS[c.method].generates}
    needed = {
        _reference_key(g[0]) for g in pending if METHODS[g[0].method].generates
    }
    folder.mkdir(exist_ok=True)
    references = _read_references(ref_cells, folder)
    missing = {
        key: cell
        for key, cell in ref_cells.items()
        if key in needed and key not in references
    }
    if missing:
        references.update(
            _fit_references(missing, folder, parallel, n_threads, verbose)
        )
    return references


def _read_references(ref_cells, folder):
    references = {}
    for key in ref_cells:
        path = folder / f"{key}.joblib"
        if path.exists():
            try:
                references[key] = joblib.load(path)
            except Exception:  # an unreadable cache entry is refitted
                pass
    return references


def _fit_references(missing, folder, parallel, n_threads, verbose):
    """Fit the ``missing`` references in parallel and cache those that fit."""
    from tqdm.auto import tqdm

    fitted = parallel(
        joblib.delayed(_keyed_reference)(key, cell, n_threads)
        for key, cell in missing.items()
    )
    references = {}
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
                stacklevel=4,  # the caller of run_benchmark
            )
            continue
        _write_atomically(
            folder / f"{key}.joblib", lambda tmp: joblib.dump(reference, tmp)
        )
        references[key] = reference
    return references


def _keyed_reference(key, cell, n_threads):
    try:
        return key, fit_reference(cell, n_threads)
    except Exception as exc:  # reported by the caller; the cells still run
        return key, f"{type(exc).__name__}: {exc}"


def _summary(references):
    """What the summary says of each reference: classifier, accuracy, rows."""
    return {
        key: {
            "classifier": type(ref["model"]).__name__,
            "test_accuracy": ref["test_accuracy"],
            "n_per_class": ref["n_per_class"],
        }
        for key, ref in references.items()
    }

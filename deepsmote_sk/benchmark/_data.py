"""The benchmark's data: the signals, their digest, and the split of a cell.

torch and scikit-learn are imported where they are used, so that importing
this package (and ``deepsmote-sk --help``) stays fast.
"""

import functools
import hashlib
from pathlib import Path

import numpy as np

__all__ = ["load_benchmark_data"]

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


def _cell_data(cell, *, ratio, seed):
    """The split of ``cell``'s data at ``ratio`` and ``seed``, in its mode.

    Returns ``X_train, y_train, X_test, y_test, image_shape``; the rows are
    flattened scalograms of shape ``image_shape`` in image mode, windows
    (and ``image_shape`` None) otherwise.
    """
    X_train, y_train, X_test, y_test = _split(
        cell.data,
        ratio=ratio,
        window=cell.window,
        seed=seed,
        n_majority=cell.n_majority,
        n_test=cell.n_test,
        snr=cell.snr,
        classes=cell.classes,
    )
    image_shape = None
    if cell.mode == "image":
        X_train, X_test, image_shape = _to_images(X_train, X_test)
    return X_train, y_train, X_test, y_test, image_shape


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

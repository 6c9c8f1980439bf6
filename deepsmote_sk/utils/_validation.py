"""Input checks shared by the CWT, the transformers and the estimators."""

import numbers

import numpy as np


def check_signals(X, *, name="X", min_length=1, allow_1d=False):
    """Validate a batch of 1-D signals and return it as a float ndarray.

    Parameters
    ----------
    X : array-like of shape (n_signals, length)
        Real-valued signals, one per row.
    name : str
        Name used in error messages.
    min_length : int
        Smallest allowed signal length.
    allow_1d : bool
        Accept a single 1-D signal (returned unchanged in shape).

    Returns
    -------
    ndarray of float32 or float64
        float64 input stays float64, every other numeric input becomes float32.

    Raises
    ------
    ValueError
        For non-numeric data, NaN/inf, the wrong number of dimensions or
        signals shorter than ``min_length``.
    """
    arr = np.asarray(X)
    if arr.dtype.kind in "OUSV" or arr.dtype.kind == "b":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be numeric; got dtype {np.asarray(X).dtype}.") from exc
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real-valued; got complex dtype {arr.dtype}.")
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numeric; got dtype {arr.dtype}.")
    ndims = (1, 2) if allow_1d else (2,)
    if arr.ndim not in ndims:
        expected = "1-D or 2-D" if allow_1d else "2-D (n_signals, length)"
        raise ValueError(f"{name} must be {expected}; got an array of shape {arr.shape}.")
    if arr.dtype != np.float64:
        arr = arr.astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if arr.shape[-1] < min_length:
        raise ValueError(
            f"{name} has signals of length {arr.shape[-1]} (n_features={arr.shape[-1]}); "
            f"at least {min_length} samples are needed."
        )
    return arr


def check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def check_image_shape(image_shape, n_features):
    """Validate an image-mode ``image_shape`` against the row length.

    Parameters
    ----------
    image_shape : sequence of int
        ``(H, W)`` or ``(C, H, W)``, positive ints, the last axis being time
        for a scalogram.
    n_features : int
        Values per row of ``X``; must equal the product of the shape.

    Returns
    -------
    tuple of int
        The shape as given, as Python ints.
    """
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
        for s in shape
    ):
        raise ValueError(
            "image_shape must be (H, W) or (C, H, W) with positive ints; "
            f"got {image_shape!r}."
        )
    shape = tuple(int(s) for s in shape)
    if int(np.prod(shape)) != n_features:
        raise ValueError(
            f"image_shape={image_shape!r} holds {int(np.prod(shape))} values "
            f"but X has {n_features} features per row; they must be equal."
        )
    return shape

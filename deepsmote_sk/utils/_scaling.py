"""Overflow-free moments of finite arrays.

Squares of values above about 1e154 overflow float64 (1e19 in float32), and
sums of many values near the largest float overflow too. The moments the
package takes of user data (the classifiers' and DSEASMOTE's input scale,
window powers for noise, per-window standardisation, PCC) go through these
helpers, which divide by the largest magnitude first (as LAPACK's ``nrm2``
does), so finite input always gives finite moments.
"""

import numpy as np

__all__ = ["mean_std", "root_mean_square", "unit_peak"]


def unit_peak(X, axis=None):
    """``X`` divided by its largest magnitude, and that magnitude.

    Parameters
    ----------
    X : ndarray of float
    axis : int or None
        Per slice along ``axis`` (kept as a length-1 axis in ``peak``), or
        over the whole array.

    Returns
    -------
    scaled : ndarray
        Values in [-1, 1]; an all-zero slice stays zero.
    peak : ndarray or float
        The divisor, 1 for an all-zero slice.
    """
    peak = np.max(np.abs(X), axis=axis, keepdims=axis is not None, initial=0.0)
    peak = np.where(peak > 0, peak, 1.0)
    return X / peak, peak if axis is not None else float(peak)


def mean_std(X):
    """Mean and population standard deviation of all values of a finite array.

    Never overflows (nor underflows to zero for tiny values): both are taken
    of ``X`` divided by its largest magnitude and scaled back.
    """
    scaled, peak = unit_peak(np.asarray(X, dtype=np.float64))
    mean = scaled.mean()
    std = np.sqrt(np.mean((scaled - mean) ** 2))
    return float(mean * peak), float(std * peak)


def root_mean_square(X, axis=None):
    """Root mean square of a finite array (``axis`` kept), never overflowing."""
    scaled, peak = unit_peak(np.asarray(X, dtype=np.float64), axis)
    keepdims = axis is not None
    rms = np.sqrt(np.mean(scaled**2, axis=axis, keepdims=keepdims)) * peak
    return rms if keepdims else float(rms)

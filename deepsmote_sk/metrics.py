"""Metrics of generation quality and of imbalanced classification.

Generation quality (DSEA-SMOTE, Sec. IV-A): the Pearson correlation
coefficient (PCC) between samples, the generated-category accuracy
:math:`G_{acc}` judged by a reference classifier, and the Kullback-Leibler
and Jensen-Shannon divergences between real and synthetic data.
Classification: G-mean (imbalanced-learn's) and the macro false positive rate
(ClassBD, Eq. 33).
"""

import numbers
import warnings

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_is_fitted

from .utils import check_signals
from .utils._scaling import unit_peak

__all__ = [
    "generation_accuracy",
    "g_mean",
    "js_divergence",
    "kl_divergence",
    "macro_fpr",
    "pearson_correlation",
]


def _as_rows(X, name):
    """2-D float64 samples; a 1-D array is one sample."""
    arr = check_signals(X, name=name, allow_1d=True).astype(np.float64)
    return arr[None, :] if arr.ndim == 1 else arr.reshape(arr.shape[0], -1)


@validate_params(
    {"X": ["array-like"], "Y": ["array-like"], "pairwise": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def pearson_correlation(X, Y, *, pairwise=False):
    """Pearson correlation coefficient (PCC) between samples.

    Each sample (a row: a signal, or a flattened image) is treated as a
    vector of observations, and the PCC is computed between two samples.

    Parameters
    ----------
    X : array-like of shape (n_x, n_features) or (n_features,)
        Samples, one per row (a 1-D array is one sample).
    Y : array-like of shape (n_y, n_features) or (n_features,)
        Samples to correlate with.
    pairwise : bool, default=False
        ``False``: row by row, ``PCC(X[i], Y[i])`` (``n_x == n_y``, or one
        side has a single row, which is broadcast). ``True``: every pair,
        ``PCC(X[i], Y[j])``.

    Returns
    -------
    pcc : ndarray of shape (n,) or (n_x, n_y), or float
        Values in [-1, 1]; a float when both inputs are 1-D. A pair in which
        one sample is constant has no correlation: NaN, with a warning.

    Raises
    ------
    ValueError
        If the samples differ in length, the row counts do not match
        (row-wise), or the input holds NaN/inf or non-numeric values.

    See Also
    --------
    generation_accuracy : The other generation-quality score of the paper.

    Notes
    -----
    .. math::

        \\mathrm{PCC}(x, y) = \\frac{\\sum_t (x_t - \\bar x)(y_t - \\bar y)}
            {\\sqrt{\\sum_t (x_t - \\bar x)^2}\\sqrt{\\sum_t (y_t - \\bar y)^2}}.

    The generation quality of synthetic samples is commonly reported as the
    mean, over synthetic samples, of their PCC with the most similar real
    sample of the same class:
    ``pearson_correlation(X_syn, X_real, pairwise=True).max(axis=1).mean()``.

    Examples
    --------
    >>> from deepsmote_sk.metrics import pearson_correlation
    >>> round(pearson_correlation([1.0, 2.0, 3.0], [2.0, 4.0, 7.0]), 6)
    0.993399
    >>> pearson_correlation([[1, 2, 3], [3, 2, 1]], [1, 2, 3])
    array([ 1., -1.])
    """
    scalar = np.ndim(X) == 1 and np.ndim(Y) == 1
    A, B = _as_rows(X, "X"), _as_rows(Y, "Y")
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"X and Y samples must have the same number of features; got {A.shape[1]} "
            f"and {B.shape[1]}."
        )
    if not pairwise and A.shape[0] != B.shape[0] and 1 not in (A.shape[0], B.shape[0]):
        raise ValueError(
            "Row-wise PCC needs as many rows in X as in Y (or a single row on one "
            f"side); got {A.shape[0]} and {B.shape[0]}. Use pairwise=True for every "
            "pair."
        )
    # The PCC ignores each row's scale: dividing by the peak first keeps the
    # sums of squares finite for any finite values.
    A = unit_peak(A, axis=1)[0]
    B = unit_peak(B, axis=1)[0]
    A = A - A.mean(axis=1, keepdims=True)
    B = B - B.mean(axis=1, keepdims=True)
    norm_a = np.sqrt(np.sum(A**2, axis=1))  # (n_x,)
    norm_b = np.sqrt(np.sum(B**2, axis=1))  # (n_y,)
    if pairwise:
        num, den = A @ B.T, np.outer(norm_a, norm_b)  # (n_x, n_y)
    else:
        num, den = np.sum(A * B, axis=1), norm_a * norm_b  # (n,)
    if np.any(den == 0):
        warnings.warn(
            "PCC is undefined for a constant sample; NaN is returned for its pairs.",
            RuntimeWarning,
            stacklevel=2,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        pcc = np.clip(num / np.where(den == 0, np.nan, den), -1.0, 1.0)
    return float(pcc.ravel()[0]) if scalar else pcc


@validate_params(
    {
        "estimator": [HasMethods("predict")],
        "X_synthetic": ["array-like"],
        "y_target": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def generation_accuracy(estimator, X_synthetic, y_target):
    """Generated-category accuracy :math:`G_{acc}` (DSEA-SMOTE, Eq. 9).

    The fraction of synthetic samples that a fitted *reference* classifier
    assigns to the class they were generated for. The reference classifier
    should be trained on balanced real data, not be the generator's own
    classifier head (``PROTOCOL.md``).

    Parameters
    ----------
    estimator : fitted classifier
        Any fitted estimator with ``predict`` (or a pipeline ending in one),
        taking the same kind of rows as ``X_synthetic``.
    X_synthetic : array-like of shape (n_samples, n_features)
        Synthetic samples.
    y_target : array-like of shape (n_samples,)
        Class each sample was generated for.

    Returns
    -------
    float
        :math:`G_{acc} = G_{pred\\_true} / G_{total}` in [0, 1].

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ValueError
        If ``X_synthetic`` and ``y_target`` differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from deepsmote_sk.metrics import generation_accuracy
    >>> ref = KNeighborsClassifier(1).fit([[0.0], [10.0]], ["a", "b"])
    >>> generation_accuracy(ref, [[1.0], [9.0], [2.0], [6.0]], ["a", "b", "b", "b"])
    0.75
    """
    check_is_fitted(estimator)
    y_target = np.asarray(y_target)
    if len(X_synthetic) != y_target.shape[0]:
        raise ValueError(
            f"X_synthetic has {len(X_synthetic)} samples but y_target has "
            f"{y_target.shape[0]} labels."
        )
    return float(accuracy_score(y_target, estimator.predict(X_synthetic)))


def _distributions(X_real, X_synthetic, distribution, bins):
    """The two probability vectors the divergences compare (see kl_divergence)."""
    P, Q = _as_rows(X_real, "X_real"), _as_rows(X_synthetic, "X_synthetic")
    if distribution == "histogram":
        lo, hi = min(P.min(), Q.min()), max(P.max(), Q.max())
        if lo == hi:
            hi = lo + 1.0  # every value in one bin: identical distributions
        edges = np.linspace(lo, hi, bins + 1)
        p = np.histogram(P, edges)[0].astype(np.float64)
        q = np.histogram(Q, edges)[0].astype(np.float64)
    else:
        if P.shape[1] != Q.shape[1]:
            raise ValueError(
                "distribution='spectrum' needs samples of the same length; got "
                f"{P.shape[1]} and {Q.shape[1]}."
            )
        # Normalised below, so each set may be divided by its peak first:
        # squared spectra of huge finite values would overflow.
        p = np.mean(np.abs(np.fft.rfft(unit_peak(P)[0], axis=1)) ** 2, axis=0)
        q = np.mean(np.abs(np.fft.rfft(unit_peak(Q)[0], axis=1)) ** 2, axis=0)
    if p.sum() == 0 or q.sum() == 0:
        raise ValueError("A mean power spectrum is zero: all samples are zero.")
    return p / p.sum(), q / q.sum()


_DIVERGENCE_PARAMS = {
    "X_real": ["array-like"],
    "X_synthetic": ["array-like"],
    "distribution": [StrOptions({"histogram", "spectrum"})],
    "bins": [Interval(numbers.Integral, 1, None, closed="left")],
    "base": [Interval(numbers.Real, 1, None, closed="neither")],
}


@validate_params(
    {**_DIVERGENCE_PARAMS, "eps": [Interval(numbers.Real, 0, 1, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def kl_divergence(X_real, X_synthetic, *, distribution="histogram", bins=100, base=2.0,
                  eps=1e-10):
    """Kullback-Leibler divergence D(real || synthetic) of two sample sets.

    Parameters
    ----------
    X_real : array-like of shape (n_real, n_features) or (n_features,)
        Real samples (signals, or flattened images).
    X_synthetic : array-like of shape (n_synthetic, n_features) or (n_features,)
        Synthetic samples.
    distribution : {"histogram", "spectrum"}, default="histogram"
        Which distributions are compared (see Notes): the distribution of
        sample values (amplitudes of signals, intensities of images), or the
        normalised mean power spectrum of the samples (for signals).
    bins : int, default=100
        Number of equal-width bins of the value histogram.
    base : float, default=2.0
        Base of the logarithm (2: bits).
    eps : float, default=1e-10
        Probability mass added to every bin before normalising, so that a
        bin that is empty in the synthetic set gives a large finite value
        instead of infinity.

    Returns
    -------
    float
        :math:`D_{KL} \\ge 0`; 0 for identical distributions.

    See Also
    --------
    js_divergence : The symmetric, bounded counterpart.

    Notes
    -----
    *Histogram* (default): all values of all real samples are pooled into one
    histogram and all values of the synthetic samples into another, over a
    common set of ``bins`` equal-width bins spanning the smallest to the
    largest value of both sets; the counts are normalised to probabilities
    :math:`p_b, q_b`. For scalogram images scaled to [0, 1] this is the
    intensity distribution; for standardised signals, the amplitude
    distribution (its tails reflect impulsiveness).

    *Spectrum*: :math:`p_k \\propto \\frac1{n}\\sum_i |\\mathrm{DFT}(x_i)_k|^2`,
    the mean power spectrum of the samples (one-sided, ``rfft``) normalised to
    sum to one; it compares how the energy is spread over frequency.

    With smoothed :math:`\\tilde p = (p + \\epsilon) / (1 + K\\epsilon)` over
    the :math:`K` bins (likewise :math:`\\tilde q`):

    .. math::

        D_{KL}(\\tilde p \\,\\|\\, \\tilde q) = \\sum_b \\tilde p_b
            \\log_{\\text{base}} \\frac{\\tilde p_b}{\\tilde q_b}.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.metrics import kl_divergence
    >>> rng = np.random.RandomState(0)
    >>> real = rng.randn(200, 64)
    >>> kl_divergence(real, real)
    0.0
    >>> kl_divergence(real, 3 * rng.randn(200, 64)) > 0.5
    True
    """
    p, q = _distributions(X_real, X_synthetic, distribution, bins)
    p = (p + eps) / (1 + p.size * eps)
    q = (q + eps) / (1 + q.size * eps)
    return float(max(np.sum(p * np.log(p / q)) / np.log(base), 0.0))


@validate_params(_DIVERGENCE_PARAMS, prefer_skip_nested_validation=True)
def js_divergence(X_real, X_synthetic, *, distribution="histogram", bins=100, base=2.0):
    """Jensen-Shannon divergence between real and synthetic sample sets.

    Parameters
    ----------
    X_real : array-like of shape (n_real, n_features) or (n_features,)
        Real samples (signals, or flattened images).
    X_synthetic : array-like of shape (n_synthetic, n_features) or (n_features,)
        Synthetic samples.
    distribution : {"histogram", "spectrum"}, default="histogram"
        Which distributions are compared, as in :func:`kl_divergence`.
    bins : int, default=100
        Number of equal-width bins of the value histogram.
    base : float, default=2.0
        Base of the logarithm; with base 2 the divergence lies in [0, 1]
        (0: identical, 1: disjoint supports), the range the DSEA-SMOTE paper
        quotes.

    Returns
    -------
    float
        :math:`D_{JS}`, symmetric, in :math:`[0, \\log_{\\text{base}} 2]`.

    See Also
    --------
    kl_divergence : Defines the two distributions.

    Notes
    -----
    With :math:`m = (p + q) / 2` and :math:`0 \\log 0 = 0` (no smoothing is
    needed since :math:`m_b > 0` wherever :math:`p_b > 0` or :math:`q_b > 0`):

    .. math::

        D_{JS}(p, q) = \\tfrac12 D_{KL}(p \\,\\|\\, m)
            + \\tfrac12 D_{KL}(q \\,\\|\\, m).

    Examples
    --------
    >>> from deepsmote_sk.metrics import js_divergence
    >>> js_divergence([[0.0, 0.0]], [[1.0, 1.0]], bins=2)
    1.0
    """
    p, q = _distributions(X_real, X_synthetic, distribution, bins)
    m = (p + q) / 2

    def kl(a):
        mask = a > 0
        return np.sum(a[mask] * np.log(a[mask] / m[mask]))

    js = (kl(p) + kl(q)) / 2 / np.log(base)
    return float(np.clip(js, 0.0, np.log(2) / np.log(base)))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
        "average": [StrOptions({"multiclass", "macro", "weighted", "micro", "binary"}),
                    None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def g_mean(y_true, y_pred, *, labels=None, average="multiclass", sample_weight=None):
    """Geometric mean of the per-class recalls (imbalanced-learn's G-mean).

    A thin wrapper of :func:`imblearn.metrics.geometric_mean_score` so the
    package's metrics live in one place; see it for the parameters.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like, default=None
        Classes to include (default: all classes present).
    average : str or None, default="multiclass"
        ``"multiclass"``: the geometric mean of the recalls of all classes,
        :math:`(\\prod_k \\mathrm{recall}_k)^{1/K}`.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    float or ndarray
        The G-mean (0 as soon as one class has zero recall).

    See Also
    --------
    imblearn.metrics.geometric_mean_score : The implementation.

    Examples
    --------
    >>> from deepsmote_sk.metrics import g_mean
    >>> round(g_mean(["a", "a", "b", "b"], ["a", "a", "b", "a"]), 4)
    0.7071
    """
    score = geometric_mean_score(y_true, y_pred, labels=labels, average=average,
                                 sample_weight=sample_weight)
    return float(score) if np.ndim(score) == 0 else score


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "labels": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def macro_fpr(y_true, y_pred, *, labels=None):
    """Macro-averaged false positive rate (ClassBD, Eq. 33).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like, default=None
        Classes to average over (default: every label in ``y_true`` or
        ``y_pred``, sorted).

    Returns
    -------
    float
        :math:`\\frac1K\\sum_k \\frac{FP_k}{FP_k + TN_k}` in [0, 1], lower is
        better. A class with no negative samples (:math:`FP_k + TN_k = 0`)
        counts as 0, with an :class:`~sklearn.exceptions.UndefinedMetricWarning`.

    Notes
    -----
    From the confusion matrix :math:`C` (rows: true, columns: predicted),
    class :math:`k` taken one-vs-rest has :math:`FP_k = \\sum_i C_{ik} -
    C_{kk}` (samples of other classes predicted as :math:`k`) and
    :math:`TN_k = N - \\sum_i C_{ik} - \\sum_j C_{kj} + C_{kk}`.

    Examples
    --------
    >>> from deepsmote_sk.metrics import macro_fpr
    >>> round(macro_fpr([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]), 4)
    0.1667
    """
    C = confusion_matrix(y_true, y_pred, labels=labels).astype(np.float64)
    predicted, actual, hits = C.sum(axis=0), C.sum(axis=1), np.diag(C)
    fp = predicted - hits
    negatives = C.sum() - actual  # FP + TN
    if np.any(negatives == 0):
        warnings.warn(
            "FPR is undefined for a class with no negative samples; it counts as 0.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    fpr = np.divide(fp, negatives, out=np.zeros_like(fp), where=negatives > 0)
    return float(fpr.mean())

"""Peers from ``smote-variants``, behind imbalanced-learn's ``fit_resample``.

``smote-variants`` (Kovács, 2019) implements 86 SMOTE variants with its own
interface (``sample(X, y)``, binary problems, a ``proportion`` parameter).
Its multiclass wrapper :class:`smote_variants.MulticlassOversampling` runs a
binary oversampler one class against the rest; :class:`SmoteVariantsSampler`
puts that wrapper behind the ``fit_resample`` of an imbalanced-learn sampler,
so the benchmark runner treats these peers like SMOTE.
"""

import logging
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array, check_random_state, column_or_1d

__all__ = ["SmoteVariantsSampler"]

#: The multiclass strategy: every minority class against the original rows
#: of all other classes, so a class's synthetic rows do not depend on the
#: order the classes are visited in.
_STRATEGY = "equalize_1_vs_many"


def import_smote_variants():
    """The ``smote_variants`` module, or an ImportError naming the extra."""
    try:
        import smote_variants
    except ImportError as exc:
        raise ImportError(
            "The smote-variants peers need the smote-variants package: "
            "pip install 'deepsmote_sk[peers]'"
        ) from exc
    return smote_variants


@contextmanager
def _quiet_smote_variants():
    """smote-variants logs every call at INFO level to stderr; keep warnings only."""
    logger = logging.getLogger("smote_variants")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class SmoteVariantsSampler(BaseEstimator):
    """A ``smote-variants`` oversampler with imbalanced-learn's ``fit_resample``.

    Every class is oversampled to the size of the largest one by
    :class:`smote_variants.MulticlassOversampling` (strategy
    ``"equalize_1_vs_many"``: each minority class against the original rows
    of all the others).

    Parameters
    ----------
    oversampler : str, default="polynom_fit_SMOTE_star"
        Name of a binary oversampler of ``smote_variants`` that has a
        ``proportion`` parameter.
    oversampler_params : dict, optional
        Its parameters (``proportion`` and ``random_state`` are set here).
    random_state : int or None, default=None
        Seeds the oversampler and the choice of surplus rows to drop.

    Attributes
    ----------
    sampling_strategy_ : dict
        Class label -> number of rows it needed to reach the largest class.
    n_generated_ : dict
        Class label -> number of synthetic rows returned. Equal to
        ``sampling_strategy_`` except for oversamplers that filter their own
        output (``SMOTE_IPF``), which may return fewer.

    Notes
    -----
    The output follows imbalanced-learn: the rows of ``X`` first, unchanged
    and in their order, then the synthetic rows class by class, all of the
    dtype of ``X`` (floating ``X`` keeps its dtype, other input becomes
    float64; ``smote-variants`` itself computes in float64).

    With ``proportion=1`` the wrapper's ``"equalize_1_vs_many"`` strategy
    asks each binary run for as many rows as *all* other classes hold, not
    as many as the largest one; the sampler keeps a random subset (seeded by
    ``random_state``) of the size the class needs, so every class ends
    exactly as large as the largest. The other strategy,
    ``"eq_1_vs_many_successive"``, rounds its proportions down and leaves
    classes one row short.

    Some oversamplers give up quietly and return their input (SMOBD when its
    OPTICS radius ``max_eps`` finds no neighbours); a class that needed rows
    and got none raises ``RuntimeError`` instead, so the benchmark records
    the cell as failed rather than as a silent copy of ``none``.

    References
    ----------
    .. [1] G. Kovács, "smote-variants: a Python implementation of 85 minority
       oversampling techniques", Neurocomputing 366, 2019.
    .. [2] G. Kovács, "An empirical comparison and evaluation of minority
       oversampling techniques on a large number of imbalanced datasets",
       Applied Soft Computing 83, 2019.
    """

    def __init__(
        self,
        oversampler="polynom_fit_SMOTE_star",
        oversampler_params=None,
        *,
        random_state=None,
    ):
        self.oversampler = oversampler
        self.oversampler_params = oversampler_params
        self.random_state = random_state

    def fit_resample(self, X, y):
        """Balance ``X, y`` with the oversampler.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled : ndarray of shape (n_samples_new, n_features)
            ``X`` first, then the synthetic rows.
        y_resampled : ndarray of shape (n_samples_new,)
        """
        smote_variants = import_smote_variants()
        X = check_array(X, dtype=[np.float64, np.float32])
        y = column_or_1d(y)
        if len(X) != len(y):
            raise ValueError(
                f"X and y need the same number of rows; got {len(X)} and {len(y)}."
            )
        classes, codes = np.unique(y, return_inverse=True)
        counts = np.bincount(codes, minlength=len(classes))
        needed = counts.max() - counts
        self.sampling_strategy_ = dict(zip(classes.tolist(), needed.tolist()))
        if not needed.any():
            self.n_generated_ = dict.fromkeys(classes.tolist(), 0)
            return X.copy(), y.copy()

        wrapper = smote_variants.MulticlassOversampling(
            oversampler=self.oversampler,
            oversampler_params={
                **(self.oversampler_params or {}),
                "random_state": self.random_state,
            },
            strategy=_STRATEGY,
        )
        with _quiet_smote_variants():
            X_out, codes_out = wrapper.sample(X.astype(np.float64), codes)
        if not np.array_equal(codes_out[: len(codes)], codes):
            raise RuntimeError(
                f"smote_variants.MulticlassOversampling({self.oversampler!r}) did "
                "not return the original rows first."
            )
        X_new, codes_new = X_out[len(X) :], codes_out[len(X) :]

        rng = check_random_state(self.random_state)
        keep = []
        for code in np.flatnonzero(needed):
            rows = np.flatnonzero(codes_new == code)
            if not len(rows):
                raise RuntimeError(
                    f"smote-variants' {self.oversampler} generated no rows for "
                    f"class {classes.tolist()[code]!r} ({counts[code]} rows, "
                    f"{needed[code]} needed): it returned its input unchanged."
                )
            if len(rows) > needed[code]:
                rows = np.sort(rng.choice(rows, needed[code], replace=False))
            keep.append(rows)
        keep = np.concatenate(keep)
        y_new = classes[codes_new[keep]]
        self.n_generated_ = {
            label: int(np.sum(y_new == label)) for label in classes.tolist()
        }
        return (
            np.vstack([X, X_new[keep].astype(X.dtype, copy=False)]),
            np.concatenate([y, y_new]),
        )

"""MiniRocket + ridge: a non-deep downstream classifier (Dempster et al., 2021)."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.linear_model import RidgeClassifierCV
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["MiniRocketClassifier"]

#: MiniRocket's kernels have 9 weights: shorter series are zero-padded to 9.
_MIN_LENGTH = 9

#: The ridge penalties searched by leave-one-out cross-validation (the
#: MiniRocket paper's grid).
_ALPHAS = np.logspace(-3, 3, 10)


def _minirocket_transformer():
    """aeon's MiniRocket transformer, or an ImportError naming the extra."""
    try:
        from aeon.transformations.collection.convolution_based import MiniRocket
    except ImportError as exc:
        raise ImportError(
            "MiniRocketClassifier needs aeon: pip install 'deepsmote_sk[minirocket]'"
        ) from exc
    return MiniRocket


def _padded(X):
    """``X`` with zeros appended to series shorter than MiniRocket's kernels."""
    missing = _MIN_LENGTH - X.shape[1]
    return np.pad(X, ((0, 0), (0, missing))) if missing > 0 else X


class MiniRocketClassifier(ClassifierMixin, BaseEstimator):
    """MiniRocket features and a ridge classifier with cross-validated penalty.

    Each series is convolved with MiniRocket's fixed kernels (length 9,
    weights -1 and 2, several dilations); the proportion of positive values
    of each convolution (PPV) is a feature. A
    :class:`~sklearn.linear_model.RidgeClassifierCV` then picks its penalty
    among ``np.logspace(-3, 3, 10)`` by leave-one-out error, as in the paper.
    It is trained in closed form, on the CPU: a downstream classifier of the
    benchmark that is not a neural network.

    Parameters
    ----------
    n_kernels : int, default=10000
        Number of features (kernels times dilations times biases); aeon
        rounds it down to a multiple of 84, MiniRocket's number of kernels.
    class_weight : dict, "balanced" or None, default=None
        Passed to the ridge classifier.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of MiniRocket's biases (drawn from quantiles of the
        convolution outputs of random training series).
    n_jobs : int, default=1
        Threads of the MiniRocket transform (-1: all cores).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Length of the series seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X`` when it has string column names.
    transformer_ : aeon.transformations.collection.convolution_based.MiniRocket
        The fitted transform.
    ridge_ : sklearn.linear_model.RidgeClassifierCV
        The fitted ridge classifier on the MiniRocket features.
    alpha_ : float
        The penalty chosen by cross-validation.

    See Also
    --------
    WDCNNClassifier : A deep 1-D CNN for the same windows.

    Notes
    -----
    Needs the optional ``aeon`` package (``pip install
    'deepsmote_sk[minirocket]'``); without it :meth:`fit` raises an
    ImportError that says so. Series shorter than MiniRocket's kernels (9
    samples) are padded with zeros at the end, as aeon asks. The features
    are not standardised before the ridge: PPV features all lie in [0, 1].

    The ridge's leave-one-out search decomposes the whole feature matrix:
    its time grows with the square of the smaller of the number of series
    and of features (about 50 s for 4000 series and 10,000 features on two
    CPU cores). For much larger training sets the paper suggests logistic
    regression trained by stochastic gradient descent instead.

    References
    ----------
    .. [1] A. Dempster, D. F. Schmidt and G. I. Webb, "MiniRocket: A very fast
       (almost) deterministic transform for time series classification",
       Proceedings of the 27th ACM SIGKDD Conference on Knowledge Discovery
       and Data Mining (KDD), 2021, pp. 248-257.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.classifiers import MiniRocketClassifier
    >>> t = np.arange(64)
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([np.sin(t / f + rng.uniform(0, 6, (20, 1))) for f in (2, 5)])
    >>> y = np.repeat(["fast", "slow"], 20)
    >>> clf = MiniRocketClassifier(n_kernels=168, random_state=0)
    >>> clf.fit(X, y).score(X, y)  # doctest: +SKIP
    1.0
    """

    _parameter_constraints: dict = {
        "n_kernels": [Interval(Integral, 84, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral],
    }

    def __init__(
        self, *, n_kernels=10000, class_weight=None, random_state=None, n_jobs=1
    ):
        self.n_kernels = n_kernels
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the MiniRocket transform and the ridge classifier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints)
            One univariate series per row.
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : MiniRocketClassifier
        """
        MiniRocket = _minirocket_transformer()
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64])
        if len(np.unique(y)) < 2:
            raise ValueError(
                "MiniRocketClassifier needs at least 2 classes in y; got 1 class."
            )
        self.transformer_ = MiniRocket(
            n_kernels=self.n_kernels,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
        )
        features = self.transformer_.fit_transform(_padded(X))
        self.ridge_ = RidgeClassifierCV(
            alphas=_ALPHAS, class_weight=self.class_weight
        ).fit(features, y)
        self.classes_ = self.ridge_.classes_
        self.alpha_ = float(self.ridge_.alpha_)
        return self

    def _features(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        return self.transformer_.transform(_padded(X))

    def decision_function(self, X):
        """Ridge scores of each class (of the positive class for two classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        features = self._features(X)
        return self.ridge_.decision_function(features)

    def predict(self, X):
        """Class of each series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        features = self._features(X)
        return self.ridge_.predict(features)

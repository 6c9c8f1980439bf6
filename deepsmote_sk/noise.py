"""Additive noise at a target signal-to-noise ratio, per window.

The SNR of each window is set from that window's own mean power,
``P_noise = P_signal / 10 ** (snr_db / 10)`` with ``P = mean(x ** 2)`` over
the window's samples (ClassBD, Eq. 32). The ClassBD authors' code divides the
power by the number of windows instead of the window length, so its SNRs are
wrong; this module does not copy that.
"""

import hashlib
import numbers

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted, validate_data

from .datasets import standardize_windows
from .utils import check_signals
from .utils._scaling import root_mean_square

__all__ = ["add_noise", "NoiseInjector"]

_KINDS = ("gaussian", "laplace", "pink")


def _draw(kind, length, rng):
    """Raw draws for one window: unit-variance white samples, or a white spectrum."""
    if kind == "gaussian":
        return rng.standard_normal(length)
    if kind == "laplace":
        return rng.laplace(0.0, 1.0 / np.sqrt(2.0), length)  # variance 2 b^2 = 1
    return rng.standard_normal((2, length // 2 + 1))


def _pink(draws, length):
    """Shape white complex spectra to S(f) ~ 1/f (alpha = 1), no DC, unit variance."""
    spectrum = draws[:, 0] + 1j * draws[:, 1]  # (n, length // 2 + 1)
    k = np.arange(1, spectrum.shape[1])
    spectrum[:, 0] = 0.0
    spectrum[:, 1:] /= np.sqrt(k)
    # Expected mean power of the irfft (Parseval): bins below Nyquist count twice
    # with E|X_k|^2 = 2 / k; an even length's Nyquist bin keeps its real part only.
    weight = np.where(2 * k == length, 1.0 / k, 4.0 / k)
    return np.fft.irfft(spectrum, length, axis=1) * length / np.sqrt(weight.sum())


def _window_key(row):
    """Four 32-bit words hashed from a window's float64 samples."""
    digest = hashlib.blake2b(row.tobytes(), digest_size=16).digest()
    return np.frombuffer(digest, dtype=np.uint32)


def _add_noise(X, snr_db, kind, seed):
    """``X`` 2-D float; the noise of each row depends only on (seed, row)."""
    work = np.ascontiguousarray(X, dtype=np.float64)
    n, length = work.shape
    if kind == "pink" and length < 2:
        raise ValueError(
            f"pink noise needs windows of at least 2 samples; got {length}."
        )
    # The RMS, not the power: squares of finite values can overflow.
    rms = root_mean_square(work, axis=1)  # (n, 1)
    draws = np.zeros((n, 2, length // 2 + 1) if kind == "pink" else (n, length))
    for i in np.flatnonzero(rms[:, 0] > 0):
        rng = np.random.default_rng([seed, *_window_key(work[i])])
        draws[i] = _draw(kind, length, rng)
    # (n, length), zero mean and unit variance
    noise = _pink(draws, length) if kind == "pink" else draws
    with np.errstate(over="ignore", invalid="ignore"):
        sigma = np.where(rms > 0, rms * np.power(10.0, -snr_db / 20.0), 0.0)
        noisy = (work + sigma * noise).astype(X.dtype)
    if not np.all(np.isfinite(noisy)):
        raise ValueError(
            f"Noise at snr_db={snr_db:g} takes the noisy windows beyond the {X.dtype} "
            f"range (largest |X| {np.abs(work).max():.3g}); scale X down or use a "
            "higher snr_db."
        )
    return noisy


def _seed_from(random_state):
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@validate_params(
    {
        "X": ["array-like"],
        "snr_db": [Interval(numbers.Real, None, None, closed="neither")],
        "kind": [StrOptions(set(_KINDS))],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def add_noise(X, snr_db, kind="gaussian", random_state=None):
    """Add noise to each window at a target SNR computed from its own power.

    Parameters
    ----------
    X : array-like of shape (n_windows, length) or (length,)
        Clean windows, one per row (a 1-D array is one window).
    snr_db : float
        Target signal-to-noise ratio in dB, finite (negative means more noise
        than signal).
    kind : {"gaussian", "laplace", "pink"}, default="gaussian"
        Noise distribution: white Gaussian, white Laplace, or pink (power
        spectral density :math:`\\propto 1/f`, Gaussian, no DC), as in
        ClassBD's noise experiments.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise. The noise of a window depends only on this seed and
        on the window itself (see Notes).

    Returns
    -------
    X_noisy : ndarray of the shape of ``X``
        Noisy windows, float64 for float64 input, float32 otherwise.

    Raises
    ------
    ValueError
        If ``snr_db`` is NaN or infinite, ``kind`` is unknown, ``X``
        holds NaN/inf, non-numeric values or has more than 2 dimensions, or
        the noisy windows would exceed the range of the dtype (a very low
        ``snr_db`` on values near it).

    See Also
    --------
    NoiseInjector : The same as a scikit-learn transformer.

    Notes
    -----
    For every window :math:`x` of length :math:`L`, with
    :math:`P_x = \\frac1L\\sum_t x_t^2` (the mean power, DC included), the
    returned window is :math:`x + \\sigma e` where :math:`e` is zero-mean noise
    of the chosen kind with unit variance and :math:`\\sigma^2 = P_x /
    10^{\\mathrm{SNR}/10}` is the noise power the target SNR asks for. The
    noise is not rescaled to its realised power, which would distort its
    distribution (thinner Laplace tails, a flatter pink spectrum), so the
    realised SNR :math:`10\\log_{10}(P_x / P_{\\sigma e})` scatters around the
    target from window to window (about 0.4 dB for Gaussian noise on 256
    samples, more for pink noise, whose power sits in a few low-frequency
    bins) and matches it on average. Pink noise is scaled by its exact
    expected power for the window length. A window of zero power is returned
    unchanged. The power is taken without overflow (as a root mean square
    of the window divided by its peak), so any finite window works.

    The noise generator of each window is seeded from ``random_state`` and a
    hash of the window's samples, so a window gets the same noise whatever
    the other rows of the batch and their order: transforming a batch in
    chunks, in parallel or shuffled gives the same result. Identical windows
    get identical noise.

    References
    ----------
    .. [1] J.-X. Liao et al., "Classifier-guided neural blind deconvolution: a
       physics-informed denoising module for bearing fault diagnosis under
       heavy noise" (ClassBD), noise protocol and Eq. 32, 35-36.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.noise import add_noise
    >>> x = np.sin(np.linspace(0, 200, 1000 * 256)).reshape(1000, 256)
    >>> noisy = add_noise(x, snr_db=-4.0, random_state=0)
    >>> snr = 10 * np.log10(np.mean(x**2, 1) / np.mean((noisy - x)**2, 1))
    >>> round(float(snr.mean()), 1)
    -4.0
    """
    X = check_signals(X, name="X", allow_1d=True)
    if X.ndim == 1:
        return _add_noise(X[None, :], snr_db, kind, _seed_from(random_state))[0]
    return _add_noise(X, snr_db, kind, _seed_from(random_state))


class NoiseInjector(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Add noise at a target SNR to each window: a stateless transformer.

    Each row of ``X`` is one window; its noise power is set from the row's
    own mean power (see :func:`add_noise`), so the SNR holds per window.
    ``fit`` only checks the input; ``transform`` adds the noise, the same
    way on training and test data (the noise protocol of ``PROTOCOL.md``).

    Parameters
    ----------
    snr_db : float, default=0.0
        Target signal-to-noise ratio in dB.
    kind : {"gaussian", "laplace", "pink"}, default="gaussian"
        Noise distribution, see :func:`add_noise`.
    standardize : bool, default=False
        Standardise each noisy window to zero mean and unit variance, as the
        noise protocol does after adding noise. An all-zero window (no power,
        so no noise) stays all zero.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise. With an int, transforming the same window always
        gives the same noisy window; with None, every call draws new noise.

    Attributes
    ----------
    n_features_in_ : int
        Window length seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when ``X`` has string column names.

    See Also
    --------
    add_noise : The function this transformer applies.
    deepsmote_sk.datasets.standardize_windows : The per-window standardisation.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk import NoiseInjector
    >>> X = np.sin(np.linspace(0, 200, 500 * 256)).reshape(500, 256)
    >>> noisy = NoiseInjector(snr_db=10.0, random_state=0).fit_transform(X)
    >>> snr = 10 * np.log10(np.mean(X**2, 1) / np.mean((noisy - X)**2, 1))
    >>> round(float(snr.mean()), 1)
    10.0
    """

    _parameter_constraints = {
        "snr_db": [Interval(numbers.Real, None, None, closed="neither")],
        "kind": [StrOptions(set(_KINDS))],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, snr_db=0.0, kind="gaussian", standardize=False,
                 random_state=None):
        self.snr_db = snr_db
        self.kind = kind
        self.standardize = standardize
        self.random_state = random_state

    def fit(self, X, y=None):
        """Check ``X`` and record its width; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_windows, length)
            Windows.
        y : None
            Ignored.

        Returns
        -------
        self : NoiseInjector
            The transformer, with ``n_features_in_`` set.
        """
        self._validate_params()
        validate_data(self, X, dtype=[np.float64, np.float32])
        return self

    def transform(self, X):
        """Return the windows with noise added.

        Parameters
        ----------
        X : array-like of shape (n_windows, length)
            Windows, as many columns as in ``fit``.

        Returns
        -------
        X_noisy : ndarray of shape (n_windows, length)
            Same dtype as ``X`` (float32 or float64).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        noisy = _add_noise(X, self.snr_db, self.kind, _seed_from(self.random_state))
        if self.standardize:
            # Windows of zero power get no noise and stay zero: nothing to scale.
            nonzero = np.any(noisy != 0, axis=1)
            noisy[nonzero] = standardize_windows(noisy[nonzero])
        return noisy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

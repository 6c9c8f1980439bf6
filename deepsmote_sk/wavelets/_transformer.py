"""Scikit-learn transformer from signals to flattened scalogram images."""

from numbers import Integral, Real

import numpy as np
import pywt
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from ._cwt import _as_wavelet, _resolve_scales, effective_support
from ._scalogram import _check_image_size, default_scales, scalogram

__all__ = ["CWTTransformer"]


class CWTTransformer(TransformerMixin, BaseEstimator):
    """Turn 1-D signals into flattened scalogram images (CWT magnitude maps).

    Each row of ``X`` (one signal of ``L`` samples) becomes the image that
    the DSEA-SMOTE paper feeds its networks (Sec. II-A, Eqs. 1-2): the
    continuous wavelet transform, its magnitude (or log-energy), resized to
    ``image_size`` (32 x 32 by default, as in the paper), scaled to [0, 1]
    per image and flattened row by row to ``H * W`` features. It is computed
    by :func:`deepsmote_sk.wavelets.scalogram`, the same code DSEASMOTE uses on
    torch tensors.

    The transformer learns nothing from the values of ``X``: ``fit`` only
    records the signal length and fixes the scales.

    Parameters
    ----------
    scales : array-like of float, default=None
        Wavelet scales. ``None`` (with ``frequencies=None``) takes
        :func:`~deepsmote_sk.wavelets.default_scales` for the signal length seen
        in ``fit``: ``n_scales`` scales spaced geometrically from the Nyquist
        frequency down to the lowest frequency whose wavelet still fits in
        the signal.
    wavelet : str or pywt.ContinuousWavelet, default="cmor1.5-1.0"
        Continuous wavelet of PyWavelets (``"morl"``, ``"mexh"``,
        ``"cmorB-C"``, ``"gausP"``, ...). The default complex Morlet gives a
        smooth magnitude without the oscillation of real wavelets.
    sampling_period : float, default=1.0
        Sampling period of the signals (seconds for frequencies in Hz); used
        with ``frequencies`` and for ``frequencies_``.
    frequencies : array-like of float, default=None
        Instead of ``scales``: centre frequencies to analyse, or a range
        ``(fmin, fmax)`` split geometrically into ``n_scales`` frequencies;
        in cycles per ``sampling_period``, at most the Nyquist frequency
        ``0.5 / sampling_period`` (a ValueError otherwise).
    n_scales : int, default=32
        Number of scales of the default scales or of a frequency range.
    output : {"magnitude", "log_energy"}, default="magnitude"
        Pixel value before scaling: ``|W(a, b)|`` or ``log |W(a, b)|^2``
        (floored 60 dB below each image's peak).
    image_size : int or tuple of (int, int) or None, default=(32, 32)
        ``(height, width)`` = (scales, time) of the images; an int gives a
        square. ``None`` keeps ``(n_scales, L)``.

    Attributes
    ----------
    scales_ : ndarray of shape (n_scales,)
        Scales used, from the smallest (highest frequency) up.
    frequencies_ : ndarray of shape (n_scales,)
        Centre frequency of each scale (cycles per ``sampling_period``).
    image_shape_ : tuple of (int, int)
        ``(height, width)`` of one image; ``n_features_out = height * width``.
    n_features_in_ : int
        Signal length seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X`` when it is a DataFrame with string columns.

    See Also
    --------
    deepsmote_sk.wavelets.scalogram : the same images for numpy arrays or torch tensors.
    deepsmote_sk.wavelets.cwt : the underlying transform, matching ``pywt.cwt``.

    Notes
    -----
    Resizing averages each pixel over the (scale x time) cell it covers
    (``torch.nn.functional.interpolate(mode="area")``); enlarging repeats
    values. Images are scaled to exactly [0, 1] after resizing, by their own
    minimum and maximum. Each signal's mean is removed before the CWT: a DC
    offset carries no vibration, and the zero padding of a finite window
    would turn it into edge artefacts that fill the image; a constant signal
    thus gives an all-zero image. Signals are divided by their peak
    magnitude first, so any finite values give finite images. Feature
    ``scalogram_r{i}_c{j}`` is the pixel at row ``i`` (scale, smallest scale
    first) and column ``j`` (time). float32 input gives float32 output,
    other input float64.

    References
    ----------
    .. [1] DSEA-SMOTE, Sec. II-A "Continuous Wavelet Transform data filtering
       preprocessing technology (CWT-module)", Eqs. (1)-(2).

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk import CWTTransformer
    >>> X = np.random.default_rng(0).standard_normal((5, 256))
    >>> tr = CWTTransformer(image_size=(16, 16)).fit(X)
    >>> Xt = tr.transform(X)
    >>> Xt.shape, float(Xt.min()), float(Xt.max())
    ((5, 256), 0.0, 1.0)
    >>> tr.get_feature_names_out()[:2].tolist()
    ['scalogram_r0_c0', 'scalogram_r0_c1']
    """

    _parameter_constraints: dict = {
        "scales": ["array-like", None],
        "wavelet": [str, pywt.ContinuousWavelet],
        "sampling_period": [Interval(Real, 0, None, closed="neither")],
        "frequencies": ["array-like", None],
        "n_scales": [Interval(Integral, 1, None, closed="left")],
        "output": [StrOptions({"magnitude", "log_energy"})],
        "image_size": [Interval(Integral, 1, None, closed="left"), tuple, list, None],
    }

    def __init__(
        self,
        *,
        scales=None,
        wavelet="cmor1.5-1.0",
        sampling_period=1.0,
        frequencies=None,
        n_scales=32,
        output="magnitude",
        image_size=(32, 32),
    ):
        self.scales = scales
        self.wavelet = wavelet
        self.sampling_period = sampling_period
        self.frequencies = frequencies
        self.n_scales = n_scales
        self.output = output
        self.image_size = image_size

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the signal length and fix the scales.

        Parameters
        ----------
        X : array-like of shape (n_samples, L)
            Signals, one per row.
        y : None
            Ignored.

        Returns
        -------
        self : CWTTransformer
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        length = X.shape[1]
        wav = _as_wavelet(self.wavelet)
        image_size = _check_image_size(self.image_size)
        if self.scales is None and self.frequencies is None:
            scales = default_scales(length, wav, self.n_scales)
        else:
            scales = _resolve_scales(
                self.scales,
                wav,
                self.sampling_period,
                self.frequencies,
                self.n_scales,
                12,
            )
        needed = effective_support(wav, scales.max())
        if length < needed:
            raise ValueError(
                f"X has signals of length {length}, shorter than the effective support "
                f"of wavelet {wav.name!r} at the largest scale {scales.max():g}: at "
                f"least {needed} samples are needed. Use smaller scales (or "
                "scales=None) or longer signals."
            )
        self.scales_ = scales
        self.frequencies_ = pywt.scale2frequency(wav, scales) / self.sampling_period
        self.image_shape_ = (
            image_size if image_size is not None else (scales.size, length)
        )
        return self

    def transform(self, X):
        """Scalogram images of the signals, flattened row by row.

        Parameters
        ----------
        X : array-like of shape (n_samples, L)
            Signals of the length seen in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, height * width)
            Images scaled to [0, 1]; float32 for float32 input, else float64.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        images = scalogram(
            X,
            self.scales_,
            self.wavelet,
            output=self.output,
            image_size=self.image_shape_,
        )  # (n, H, W)
        return images.reshape(X.shape[0], -1)

    def get_feature_names_out(self, input_features=None):
        """Pixel names ``scalogram_r{row}_c{column}`` in output order.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Only checked against the names seen in ``fit``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``height * width`` names.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        height, width = self.image_shape_
        return np.asarray(
            [f"scalogram_r{i}_c{j}" for i in range(height) for j in range(width)],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

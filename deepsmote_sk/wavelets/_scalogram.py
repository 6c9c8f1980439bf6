"""Scalogram images: the one scalogram implementation of the package.

:class:`~deepsmote_sk.CWTTransformer` (numpy, scikit-learn pipelines) and
DSEASMOTE's CWT front end and filter (torch tensors, inside autograd) both
call :func:`scalogram`, so the images a classifier sees and the images the
generator is trained on are computed by the same code.
"""

import numpy as np
import pywt
import torch
import torch.nn.functional as F

from ._cwt import _as_wavelet, _check_input, _support_width, cwt

__all__ = ["default_scales", "scalogram"]

#: Dynamic range kept by ``output="log_energy"``: energies more than 60 dB
#: below a sample's peak are clipped, so near-silent cells do not stretch the
#: [0, 1] range.
_LOG_ENERGY_FLOOR = 1e-6

#: Output values of one chunk (CWT coefficients); bounds peak memory.
_CHUNK_ELEMENTS = 2**23

_OUTPUTS = ("magnitude", "log_energy")


def default_scales(length, wavelet="cmor1.5-1.0", n_scales=32, precision=12):
    """Scales used when none are given: Nyquist down to the longest that fits.

    The scales are spaced geometrically from ``s_min = min(2 f_c, s_max / 2)``
    to ``s_max = length / w``, where ``f_c`` is the wavelet's centre frequency
    (in cycles per sample at scale 1, so scale ``2 f_c`` analyses the Nyquist
    frequency) and ``w`` the width holding 99 % of its energy (see
    :func:`~deepsmote_sk.wavelets.effective_support`). Every scale therefore fits
    in the signal, and the scales cover the whole analysable band.

    Parameters
    ----------
    length : int
        Signal length in samples.
    wavelet : str or pywt.ContinuousWavelet, default="cmor1.5-1.0"
        The continuous wavelet.
    n_scales : int, default=32
        Number of scales.
    precision : int, default=12
        As in :func:`~deepsmote_sk.wavelets.cwt`.

    Returns
    -------
    scales : ndarray of shape (n_scales,)
        Increasing scales (decreasing frequencies).

    Notes
    -----
    Signals shorter than about ``4 f_c w`` samples (13 for the default
    wavelet) cannot hold a wavelet at the Nyquist scale; their scales then
    span ``[s_max / 2, s_max]`` and analyse frequencies above Nyquist, so the
    image is aliased. Such short inputs are accepted so that tiny toy inputs
    work, but they carry little time-frequency information.

    Examples
    --------
    >>> from deepsmote_sk.wavelets import default_scales
    >>> s = default_scales(256, "cmor1.5-1.0", n_scales=4)
    >>> s.round(2).tolist()
    [2.0, 6.87, 23.62, 81.19]
    """
    wav = _as_wavelet(wavelet)
    if int(length) < 1:
        raise ValueError(f"length must be a positive integer; got {length!r}.")
    width = _support_width(wav.name, precision)
    # The nudge keeps ceil(width * s_max) == length despite rounding.
    s_max = float(length) / width * (1.0 - 1e-9)
    s_min = min(2.0 * pywt.scale2frequency(wav, 1.0, precision), s_max / 2.0)
    return np.geomspace(s_min, s_max, int(n_scales))


def _centred_unit_peak(x):
    """Each signal ``(n, L)`` divided by its peak magnitude, minus its mean.

    The images are invariant to both, in exact arithmetic: min-max scaling
    removes the amplitude, and the mean (a DC offset) is no vibration; the
    CWT of an infinite signal ignores it, and only the zero padding of a
    finite window turns it into edge artefacts. Dividing first keeps
    ``|W|^2`` from overflowing for huge finite values; subtracting the mean
    of the differences to the first sample makes a constant signal exactly
    zero (``x - mean(x)`` can leave rounding residue).
    """
    peak = x.abs().amax(dim=-1, keepdim=True)  # (n, 1)
    x = x / torch.clamp(peak, min=torch.finfo(x.dtype).tiny)
    steps = x - x[:, :1]  # (n, L)
    return steps - steps.mean(dim=-1, keepdim=True)


def _image(coefs, output, image_size):
    """|W| or log-energy of a coefficient block, resized, scaled per sample."""
    if coefs.is_complex():
        energy = coefs.real.square() + coefs.imag.square()  # (n, scales, time)
    else:
        energy = coefs.square()
    if output == "magnitude":
        # sqrt'(0) is infinite; |W| == 0 only for an all-zero signal.
        img = torch.sqrt(energy + torch.finfo(energy.dtype).tiny)
    else:
        img = energy
    if image_size is not None:
        # Area averaging: each pixel is the mean magnitude (or energy) of the
        # scale x time cell it covers, so no peak is skipped when shrinking.
        img = F.interpolate(img[:, None], size=image_size, mode="area")[
            :, 0
        ]  # (n, H, W)
    if output == "log_energy":
        peak = img.amax(dim=(-2, -1), keepdim=True)
        img = torch.log(img + _LOG_ENERGY_FLOOR * peak + torch.finfo(img.dtype).tiny)
    lo = img.amin(dim=(-2, -1), keepdim=True)
    hi = img.amax(dim=(-2, -1), keepdim=True)
    # A constant image (a constant signal) maps to zeros instead of 0 / 0.
    return (img - lo) / torch.clamp(hi - lo, min=torch.finfo(img.dtype).eps)


def _check_image_size(image_size):
    if image_size is None:
        return None
    if isinstance(image_size, (int, np.integer)) and not isinstance(image_size, bool):
        image_size = (image_size, image_size)
    try:
        h, w = image_size
        ok = all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1
            for v in (h, w)
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"image_size must be None, a positive int or a pair (height, width) of "
            f"positive ints; got {image_size!r}."
        )
    return int(h), int(w)


def scalogram(
    X,
    scales=None,
    wavelet="cmor1.5-1.0",
    sampling_period=1.0,
    *,
    frequencies=None,
    n_scales=32,
    output="magnitude",
    image_size=(32, 32),
    precision=12,
    chunk_size=None,
):
    """Scalogram images of a batch of signals: CWT, magnitude, resize, scale.

    The pipeline is differentiable end to end, so it can sit inside a
    training loss (DSEASMOTE compares the scalograms of generated and real
    signals through it).

    Parameters
    ----------
    X : torch.Tensor or array-like of shape (n_signals, L) or (L,)
        Real signals. A tensor keeps its device, dtype and autograd graph;
        other input is computed on the CPU and returned as numpy.
    scales : array-like of float, optional
        Wavelet scales. ``None`` (and no ``frequencies``) takes
        :func:`default_scales` ``(L, wavelet, n_scales)``: from the Nyquist
        frequency down to the lowest frequency whose wavelet fits in ``L``.
    wavelet : str or pywt.ContinuousWavelet, default="cmor1.5-1.0"
        Continuous wavelet, as in :func:`~deepsmote_sk.wavelets.cwt`.
    sampling_period : float, default=1.0
        Sampling period, used with ``frequencies``.
    frequencies : array-like, optional
        Centre frequencies instead of scales, or a range ``(fmin, fmax)``
        split into ``n_scales`` frequencies (see :func:`~deepsmote_sk.wavelets.cwt`).
    n_scales : int, default=32
        Number of scales for the default scales or a frequency range.
    output : {"magnitude", "log_energy"}, default="magnitude"
        ``"magnitude"``: ``|W(a, b)|``. ``"log_energy"``: ``log |W(a, b)|^2``,
        floored 60 dB below each image's peak.
    image_size : int or (int, int) or None, default=(32, 32)
        ``(height, width)`` = (scales, time) of the images, 32 x 32 as in the
        DSEA-SMOTE paper. ``None`` keeps ``(n_scales, L)``.
    precision : int, default=12
        As in :func:`~deepsmote_sk.wavelets.cwt`.
    chunk_size : int, optional
        Signals processed at once; by default about 8 M CWT coefficients per
        chunk, so peak memory does not grow with the number of signals
        beyond the images themselves.

    Returns
    -------
    images : torch.Tensor or ndarray of shape (n_signals, H, W) or (H, W)
        Each image scaled to exactly [0, 1] by its own minimum and maximum;
        a constant signal gives an all-zero image (it carries no
        information). Row 0 is the smallest scale (highest frequency). dtype
        of the input (float32 stays float32, anything else non-tensor
        becomes float64).

    See Also
    --------
    deepsmote_sk.wavelets.cwt : the transform underneath.
    deepsmote_sk.CWTTransformer : the same images in a scikit-learn pipeline.

    Notes
    -----
    Order of operations: remove each signal's mean -> CWT -> energy
    ``|W|^2`` -> magnitude (or keep the energy) -> resize with area
    averaging (``torch.nn.functional.interpolate`` with ``mode="area"``: each
    pixel is the mean over the scale x time cell it covers; enlarging
    repeats values) -> logarithm for ``"log_energy"`` -> per-image min-max
    scaling. Scaling comes last so every image spans
    exactly [0, 1]. The image therefore depends neither on the signal's
    amplitude nor on its mean: a DC offset, which the zero padding of a
    finite window would turn into edge artefacts filling the image, is
    removed first, and a constant signal gives zeros. Signals are divided by
    their peak magnitude before the transform, so any finite values work.
    The paper (Sec. II-A, Eq. 2) renders a jet-coloured
    contour plot and converts it to grayscale, which scrambles the energy
    order; the grayscale value here is monotone in the energy instead.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.wavelets import scalogram
    >>> x = torch.randn(4, 256, requires_grad=True)
    >>> img = scalogram(x)
    >>> tuple(img.shape), img.detach().min().item(), img.detach().max().item()
    ((4, 32, 32), 0.0, 1.0)
    >>> img.sum().backward()
    >>> tuple(x.grad.shape)
    (4, 256)
    """
    if output not in _OUTPUTS:
        raise ValueError(f"output must be one of {list(_OUTPUTS)}; got {output!r}.")
    image_size = _check_image_size(image_size)
    tensor, was_numpy, squeeze = _check_input(X)
    n, length = tensor.shape
    if scales is None and frequencies is None:
        scales = default_scales(length, wavelet, n_scales, precision)
    if chunk_size is None:
        n_coefs = (
            len(np.atleast_1d(scales)) if scales is not None else n_scales
        ) * length
        chunk_size = max(1, _CHUNK_ELEMENTS // n_coefs)
    images = []
    for start in range(0, n, int(chunk_size)):
        coefs, _ = cwt(
            _centred_unit_peak(tensor[start : start + int(chunk_size)]),
            scales,
            wavelet,
            sampling_period,
            frequencies=frequencies,
            n_scales=n_scales,
            precision=precision,
        )  # (chunk, scales, L)
        images.append(_image(coefs, output, image_size))  # (chunk, H, W)
    images = torch.cat(images) if len(images) > 1 else images[0]
    if squeeze:
        images = images[0]
    return images.detach().numpy() if was_numpy else images

"""A batched, differentiable continuous wavelet transform in PyTorch.

The transform reproduces :func:`pywt.cwt` sample for sample: it samples the
same integrated wavelet (``pywt.integrate_wavelet``), applies the same
``-sqrt(scale) * diff(conv(x, psi_scale))`` recipe and the same centring.
What makes it fast:

* the derivative is folded into the kernel (``diff(conv(x, k)) ==
  conv(x, diff(k))``), so every scale is one linear filter;
* only the ``2 L - 1`` central taps of a long kernel can ever touch an
  output sample, so kernels are cut to those taps *exactly*;
* each scale gets the shortest circular FFT length that cannot alias onto
  its ``L`` outputs, ``L + reach`` where ``reach`` is the kernel's half
  width (at most ``2 L - 1``, against pywt's ``L + taps - 1``, up to
  ``L + 16 scale``), rounded to a fast length; consecutive scales with the
  same length form one group that shares one forward FFT of the signals;
* complex wavelets use one complex inverse FFT per scale (cheaper than two
  real ones) that writes complex output directly;
* signals are processed in small chunks of rows whose intermediates stay in
  the CPU cache, and each chunk is written straight into the preallocated
  output, which also bounds peak memory;
* for numpy input the output is allocated by numpy, which backs large
  arrays with transparent huge pages: on the benchmark batch, first-touch
  page faults of a fresh ``torch.empty`` output cost about as much as the
  transform itself; before worker threads start, the calling thread
  faults the huge pages in, since concurrent faults contend in the kernel;
* the memory of the last released numpy output is kept and reused by the
  next call of about the same size (``_output_memory``; freed by
  :func:`empty_cache`), which saves mapping and zeroing fresh pages: in
  40 alternating pairs of calls on the benchmark batch the median call
  took 0.085 s against 0.093 s into fresh memory;
* the inverse FFTs run unscaled (``norm="forward"``), their ``1 / nfft``
  folded into the cached kernel spectra;
* without autograd, chunks are shared among ``torch.get_num_threads()``
  threads (the calling thread is one of them) that take them from a queue,
  each running single-threaded torch ops: many small multi-threaded ops
  would each end in a barrier, which stalls badly on shared cores, and
  no thread waits to collect another's results.

pywt samples its integrated wavelet at ``floor``-rounded positions, which
gives the kernels broadband ripple of up to ~1 % of their peak spectrum, so
band-limited shortcuts (pruned inverse transforms, decimation at large
scales) would not reproduce ``pywt.cwt`` to the required accuracy; the
transform stays exact instead.

Kernel spectra are cached per (wavelet, scales, length, dtype, device).
"""

import functools
import math
import numbers
import warnings
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue

import numpy as np
import pywt
import torch

from ..utils import torch_threads
from ._output_memory import empty_array

__all__ = ["cwt", "effective_support", "frequencies_to_scales"]

#: Spectrum values of one chunk's widest group (complex64: 2 MiB): small
#: enough for the CPU cache, large enough to amortise per-call overhead.
_CHUNK_ELEMENTS = 2**18

#: The same on a GPU (complex64: 128 MiB): a GPU has no cache to fit but
#: pays a kernel launch per operation, so few large chunks are fastest.
_DEVICE_CHUNK_ELEMENTS = 2**24

#: Fraction of the wavelet's energy that defines its effective support.
_SUPPORT_ENERGY = 0.99


def _as_wavelet(wavelet):
    if isinstance(wavelet, pywt.ContinuousWavelet):
        return wavelet
    if isinstance(wavelet, str):
        try:
            wav = pywt.ContinuousWavelet(wavelet)
        except ValueError as exc:
            raise ValueError(
                f"Unknown continuous wavelet {wavelet!r}. Use one of "
                f"{pywt.wavelist(kind='continuous')} (cmorB-C, shanB-C and fbspM-B-C "
                "take bandwidth/centre parameters, e.g. 'cmor1.5-1.0')."
            ) from exc
        return wav
    raise ValueError(
        "wavelet must be a name such as 'morl' or a pywt.ContinuousWavelet; "
        f"got {wavelet!r}."
    )


@functools.lru_cache(maxsize=64)
def _support_width(name, precision):
    """Width, in units of the mother wavelet's x, holding 99 % of its energy."""
    psi, x = _as_wavelet(name).wavefun(level=precision)
    energy = np.cumsum(np.abs(psi) ** 2)
    energy /= energy[-1]
    tail = (1.0 - _SUPPORT_ENERGY) / 2.0
    lo = x[np.searchsorted(energy, tail)]
    hi = x[min(np.searchsorted(energy, 1.0 - tail), x.size - 1)]
    return float(hi - lo)


def effective_support(wavelet, scale, precision=12):
    """Number of samples the wavelet spans at ``scale`` (99 % of its energy).

    A signal shorter than this cannot hold one wavelet at that scale, so
    :func:`cwt` refuses it rather than return coefficients dominated by the
    zero padding.

    Examples
    --------
    >>> from deepsmote_sk.wavelets import effective_support
    >>> effective_support("morl", 10)
    38
    """
    wav = _as_wavelet(wavelet)
    return int(math.ceil(_support_width(wav.name, precision) * float(scale)))


def frequencies_to_scales(frequencies, wavelet, sampling_period=1.0, precision=12):
    """Scales whose centre frequencies are ``frequencies`` (``pywt.frequency2scale``).

    Frequencies are in cycles per unit of ``sampling_period`` (Hz when it is
    in seconds), positive and at most the Nyquist frequency
    ``0.5 / sampling_period``: above it a sampled signal has no content,
    only aliases. A ValueError names the Nyquist frequency otherwise.
    """
    wav = _as_wavelet(wavelet)
    freqs = np.asarray(frequencies, dtype=np.float64)
    if np.any(~np.isfinite(freqs)) or np.any(freqs <= 0):
        raise ValueError("frequencies must be positive and finite.")
    nyquist = 0.5 / sampling_period
    # The tolerance lets a Nyquist frequency computed in Hz through.
    if freqs.max(initial=0.0) > nyquist * (1 + 1e-9):
        raise ValueError(
            f"frequencies must not exceed the Nyquist frequency 0.5 / "
            f"sampling_period = {nyquist:g}; got {freqs.max():g}. With "
            "sampling_period=1 they are in cycles per sample (at most 0.5)."
        )
    centre = pywt.scale2frequency(wav, 1.0, precision)
    return centre / (freqs * sampling_period)


@functools.lru_cache(maxsize=32)
def _kernel_taps(name, scales, length, precision):
    """Per-scale filter taps (float64/complex128) and their output offsets.

    Returns ``(taps, starts)`` where output sample ``i`` of scale ``s`` is
    ``sum_t taps[s][t] * x[starts[s] + i - t]`` (zero outside the signal).
    """
    wav = _as_wavelet(name)
    int_psi, x = pywt.integrate_wavelet(wav, precision=precision)
    if wav.complex_cwt:
        int_psi = np.conj(int_psi)
    step = x[1] - x[0]
    taps, starts = [], []
    for scale in scales:
        j = (np.arange(scale * (x[-1] - x[0]) + 1) / (scale * step)).astype(int)
        j = j[j < int_psi.size]
        k = int_psi[j][::-1]
        m = k.size
        if m < 2:
            raise ValueError(f"Selected scale of {scale} too small.")
        # d/dn of the full convolution == convolution with the kernel's difference.
        dk = -np.sqrt(scale) * np.diff(np.concatenate([[0.0], k, [0.0]]))  # (m + 1,)
        start = 1 + (m - 2) // 2  # pywt's centring crop, shifted by the diff
        lo = max(0, start - (length - 1))
        hi = min(dk.size - 1, start + length - 1)
        taps.append(dk[lo : hi + 1])
        starts.append(start - lo)
    return taps, starts


def _fft_length(length, reach):
    """Smallest fast FFT length that holds ``length`` outputs of a filter.

    A filter whose taps sit at offsets ``-reach .. reach`` around the output
    sample fills a linear result that starts ``reach`` samples before the
    signal and ends ``reach`` after it. A circular transform of length ``N``
    folds sample ``i +- N`` onto the wanted output ``i``; both folds miss the
    linear result when ``N >= length + reach``, which is about half the
    textbook ``length + taps - 1``. Lengths are rounded up to ``2^k`` times 1,
    5/4, 3/2 or 2: few distinct lengths mean few groups of scales, and those
    lengths are among the fastest of the FFT libraries. ``9 * 2^k`` is left
    out on purpose: for 256-sample signals MKL transforms 288 points only
    3 % faster than 320, while the extra group of scales costs a forward
    FFT and three more operations per chunk; without it the benchmark
    batch took 0.067 s instead of 0.072 s (medians of 20 alternating calls).
    """
    needed = length + reach
    k = max(0, needed.bit_length() - 4)
    return min(base << k for base in (8, 10, 12, 16) if base << k >= needed)


@functools.lru_cache(maxsize=32)
def _plan(name, scales, length, precision, dtype, device):
    """Groups of consecutive scales that share one FFT length, with spectra.

    Returns ``(groups, is_complex)``; each group is ``(first, last, nfft,
    spectra)`` for scales ``first:last`` with ``spectra`` the FFT of their
    filters divided by ``nfft`` (the inverse FFT then runs unscaled), shape
    (last - first, nfft) for complex wavelets and (last - first, nfft // 2 + 1)
    (an rFFT) for real ones.
    """
    taps, starts = _kernel_taps(name, scales, length, precision)
    is_complex = np.iscomplexobj(taps[0])
    reaches = [max(start, t.size - 1 - start) for t, start in zip(taps, starts)]
    nffts = [_fft_length(length, reach) for reach in reaches]
    complex_dtype = torch.complex128 if dtype == torch.float64 else torch.complex64
    groups, first = [], 0
    for last in range(1, len(scales) + 1):
        if last < len(scales) and nffts[last] == nffts[first]:
            continue
        nfft = nffts[first]
        h = np.zeros((last - first, nfft), dtype=taps[first].dtype)
        for s in range(first, last):
            # Tap t multiplies x[i + start - t]; placing it at (t - start)
            # mod nfft makes circular output i equal the linear output.
            h[s - first, (np.arange(taps[s].size) - starts[s]) % nfft] = taps[s]
        spectra = np.fft.fft(h, axis=-1) if is_complex else np.fft.rfft(h, axis=-1)
        # The inverse transform's 1 / nfft, applied here once instead of by
        # every inverse FFT (``norm="forward"`` leaves the inverse unscaled).
        spectra /= nfft
        spectra = torch.as_tensor(spectra, dtype=complex_dtype, device=device)
        groups.append((first, last, nfft, spectra))
        first = last
    return groups, is_complex


def _fault_in_huge_pages(coefs):
    """Map a fresh numpy-backed output's huge pages from this one thread.

    Writing one byte per 2 MiB makes the kernel map and zero each huge page
    now. Left to the worker threads, the same page faults happen
    concurrently and contend in the kernel: with 2 workers on the benchmark
    batch, system time per call fell from 0.058 s to 0.021 s and the median
    call from 0.124 s to 0.105 s when faulting here first. Without huge
    pages this touches one small page per 2 MiB, which costs nothing. The
    output is not yet written, so the zeros overwrite nothing.
    """
    coefs.view(-1).view(torch.uint8)[:: 2**21] = 0


def _run_in_threads(fn, items, n_threads):
    """Call ``fn(item)`` for every item on ``n_threads`` threads, this one included.

    Threads take the next item from a shared queue, so a thread slowed by
    a busy core takes fewer items. The calling thread works too, and no
    thread waits for another between items: with ``pool.map`` the calling
    thread woke for every finished item to collect it, and each such
    wake-up of a sleeping thread is slow on a virtual machine (on the
    2-core benchmark machine 300 voluntary context switches per transform
    fell to 60, and the median transform took 0.065 s instead of 0.074 s).
    torch runs single-threaded inside; the first exception is re-raised
    after the remaining items are dropped.
    """
    queue = SimpleQueue()
    for item in items:
        queue.put(item)

    def work():
        while True:
            try:
                item = queue.get_nowait()
            except Empty:
                return
            try:
                fn(item)
            except BaseException:
                while True:  # drop the rest, so the other threads stop early
                    try:
                        queue.get_nowait()
                    except Empty:
                        break
                raise

    with torch_threads(1), ThreadPoolExecutor(n_threads - 1) as pool:
        helpers = [pool.submit(work) for _ in range(n_threads - 1)]
        work()
        for helper in helpers:
            helper.result()


def _resolve_scales(scales, wavelet, sampling_period, frequencies, n_scales, precision):
    if frequencies is not None:
        if scales is not None:
            raise ValueError("Give either scales or frequencies, not both.")
        freqs = np.asarray(frequencies, dtype=np.float64)
        if freqs.ndim == 1 and freqs.size == 2 and n_scales is not None:
            if (
                isinstance(n_scales, bool)
                or not isinstance(n_scales, numbers.Integral)
                or n_scales < 1
            ):
                raise ValueError(
                    f"n_scales must be a positive integer; got {n_scales!r}."
                )
            fmin, fmax = sorted(freqs.tolist())
            if fmin <= 0:
                raise ValueError(f"frequencies must be positive; got {frequencies!r}.")
            freqs = np.geomspace(fmax, fmin, int(n_scales))
        scales = frequencies_to_scales(freqs, wavelet, sampling_period, precision)
    if scales is None:
        raise ValueError(
            "scales (or frequencies=(fmin, fmax) with n_scales) is required."
        )
    scales = np.atleast_1d(np.asarray(scales, dtype=np.float64))
    if scales.ndim != 1 or scales.size == 0:
        raise ValueError(
            f"scales must be a non-empty 1-D sequence; got shape {scales.shape}."
        )
    if np.any(~np.isfinite(scales)) or np.any(scales <= 0):
        raise ValueError(f"scales must be positive and finite; got {scales.tolist()}.")
    return scales


def _check_input(data):
    """Return (tensor, was_numpy, squeeze) for ndarray/array-like/tensor input."""
    if isinstance(data, torch.Tensor):
        tensor, was_numpy = data, False
        if tensor.is_complex():
            raise ValueError(
                "data must be real-valued; complex signals are not supported."
            )
        if not tensor.is_floating_point():
            tensor = tensor.to(torch.float64)
        elif tensor.dtype not in (torch.float32, torch.float64):
            # Half-precision FFTs are not available on every device.
            tensor = tensor.to(torch.float32)
    else:
        arr = np.asarray(data)
        if arr.dtype.kind in "USV":
            raise ValueError(f"data must be numeric; got dtype {arr.dtype}.")
        if arr.dtype.kind not in "biuf":
            if arr.dtype.kind == "c":
                raise ValueError(
                    "data must be real-valued; complex signals are not supported."
                )
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"data must be numeric; got dtype {arr.dtype}."
                ) from exc
        if arr.dtype != np.float32:
            arr = arr.astype(np.float64)
        with warnings.catch_warnings():
            # Read-only arrays (e.g. memory maps) are never written to here.
            warnings.filterwarnings(
                "ignore", message="The given NumPy array is not writable"
            )
            tensor, was_numpy = torch.from_numpy(np.ascontiguousarray(arr)), True
    if tensor.ndim not in (1, 2):
        raise ValueError(
            "data must be one signal (L,) or a batch (n_signals, L); "
            f"got an array of shape {tuple(tensor.shape)}."
        )
    if tensor.shape[-1] == 0:
        raise ValueError("data has signals of length 0.")
    # A finite sum proves every value finite and costs a twentieth of
    # ``isfinite(tensor).all()``; only a non-finite sum (NaN/inf data, or
    # finite values that overflow) needs the element-wise check.
    with torch.no_grad():
        finite = bool(torch.isfinite(tensor.sum())) or bool(
            torch.isfinite(tensor).all()
        )
    if not finite:
        raise ValueError("data contains NaN or infinity.")
    squeeze = tensor.ndim == 1
    if squeeze:
        tensor = tensor.unsqueeze(0)
    return tensor, was_numpy, squeeze


def cwt(
    data,
    scales=None,
    wavelet="cmor1.5-1.0",
    sampling_period=1.0,
    *,
    frequencies=None,
    n_scales=64,
    precision=12,
    chunk_size=None,
):
    """Continuous wavelet transform of a batch of signals, matching ``pywt.cwt``.

    Parameters
    ----------
    data : array-like or torch.Tensor of shape (n_signals, L) or (L,)
        Real signals. A tensor keeps its device, dtype and autograd graph
        (the transform is differentiable); anything else is computed on the
        CPU and returned as a numpy array.
    scales : array-like of float, optional
        Wavelet scales, as in ``pywt.cwt``. Required unless ``frequencies``
        is given.
    wavelet : str or pywt.ContinuousWavelet, default="cmor1.5-1.0"
        Any continuous wavelet of PyWavelets: ``"morl"``, ``"mexh"``,
        ``"cmorB-C"``, ``"gaus1"`` ... ``"gaus8"``, ``"cgauP"``, ``"shanB-C"``,
        ``"fbspM-B-C"``.
    sampling_period : float, default=1.0
        Sampling period of the signals (seconds for frequencies in Hz).
    frequencies : array-like, optional
        Instead of ``scales``: the centre frequencies (Hz with
        ``sampling_period`` in seconds) to analyse. A pair ``(fmin, fmax)``
        gives ``n_scales`` frequencies spaced geometrically from ``fmax``
        down to ``fmin`` (pass ``n_scales=None`` to analyse exactly two
        frequencies).
    n_scales : int, default=64
        Number of scales for a ``(fmin, fmax)`` frequency range.
    precision : int, default=12
        Length ``2**precision`` of the sampled wavelet, as in ``pywt.cwt``.
    chunk_size : int, optional
        Signals transformed at once. By default chosen so one chunk's
        intermediate spectra hold about 256 K values on the CPU (a few MiB,
        cache sized) and 16 M on a GPU (128 MiB in complex64: few kernel
        launches); peak memory is the output plus one chunk's
        intermediates.

    Returns
    -------
    coefficients : ndarray or torch.Tensor
        Shape ``(n_signals, n_scales, L)`` for a batch, ``(n_scales, L)`` for
        one signal (the axis order of ``pywt.cwt``). Complex for complex
        wavelets (``cmor``, ``cgau``, ``shan``, ``fbsp``). float32 input gives
        float32/complex64, other numpy input float64/complex128; a tensor
        keeps float64, half precision is computed in float32 and integers
        in float64.
    frequencies : ndarray of shape (n_scales,)
        Centre frequency of each scale, ``pywt.scale2frequency / sampling_period``.

    Raises
    ------
    ValueError
        For NaN/inf, complex or non-numeric data, arrays that are not 1-D or
        2-D, non-positive scales, unknown wavelets, or signals shorter than
        the wavelet's effective support at the largest scale (the message
        gives the length needed).

    See Also
    --------
    pywt.cwt : the reference implementation this function reproduces.
    deepsmote_sk.CWTTransformer : scalogram images for scikit-learn pipelines.

    Notes
    -----
    The coefficients equal ``pywt.cwt(data, scales, wavelet)`` up to floating
    point rounding. On the CPU without autograd, chunks of signals are spread
    over ``torch.get_num_threads()`` threads, the calling one included, while
    torch's own thread count is set to 1 (and restored afterwards); results
    do not depend on the number of threads or the chunk size.

    For numpy input, the memory of the last released output of 4 MiB to
    1 GiB is kept and reused by the next call that needs about as much
    (at most twice), so repeated transforms skip the kernel's mapping and
    zeroing of fresh pages. Memory is reused only once no array, view or
    tensor refers to it any more; :func:`empty_cache` frees it.

    The effective support of a wavelet at scale ``a`` is the width holding
    99 % of the wavelet's energy times ``a``; signals must be at least that
    long at the largest scale.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk import cwt
    >>> t = np.arange(256) / 12000.0
    >>> x = np.sin(2 * np.pi * 1500 * t)[None, :]
    >>> coefs, freqs = cwt(x, np.arange(1, 17), "morl", sampling_period=1 / 12000)
    >>> coefs.shape
    (1, 16, 256)
    >>> int(freqs[np.abs(coefs[0]).mean(axis=1).argmax()]) in range(1000, 2100)
    True
    """
    wav = _as_wavelet(wavelet)
    if not isinstance(sampling_period, numbers.Real) or not (
        np.isfinite(sampling_period) and sampling_period > 0
    ):
        raise ValueError(
            f"sampling_period must be a positive number; got {sampling_period!r}."
        )
    scales = _resolve_scales(
        scales, wav, sampling_period, frequencies, n_scales, precision
    )
    tensor, was_numpy, squeeze = _check_input(data)
    n, length = tensor.shape
    needed = effective_support(wav, scales.max(), precision)
    if length < needed:
        raise ValueError(
            f"Signals of length {length} are shorter than the effective support of "
            f"wavelet {wav.name!r} at the largest scale {scales.max():g}: at least "
            f"{needed} samples are needed. Use smaller scales or longer signals."
        )

    groups, is_complex = _plan(
        wav.name, tuple(scales.tolist()), length, precision, tensor.dtype, tensor.device
    )
    if is_complex:
        # One complex inverse FFT is cheaper than two real ones (real and
        # imaginary part) and writes interleaved complex output directly.
        forward, inverse = torch.fft.fft, torch.fft.ifft
        out_dtype = (
            torch.complex128 if tensor.dtype == torch.float64 else torch.complex64
        )
    else:
        forward, inverse = torch.fft.rfft, torch.fft.irfft
        out_dtype = tensor.dtype
    if chunk_size is None:
        widest = max(spectra.numel() for *_, spectra in groups)
        budget = (
            _CHUNK_ELEMENTS if tensor.device.type == "cpu" else _DEVICE_CHUNK_ELEMENTS
        )
        chunk_size = max(1, budget // widest)
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, numbers.Integral)
        or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size!r}.")
    chunk_size = int(chunk_size)
    shape = (n, scales.size, length)
    if was_numpy:
        # numpy-owned memory: transparent huge pages, reused across calls
        # (see ``_output_memory``); tensor input gets an ordinary tensor.
        np_dtype = torch.empty((), dtype=out_dtype).numpy().dtype
        result, reused = empty_array(shape, np_dtype)
        coefs = torch.from_numpy(result)
    else:
        coefs, reused = torch.empty(shape, dtype=out_dtype, device=tensor.device), False
    grad, inference = torch.is_grad_enabled(), torch.is_inference_mode_enabled()

    def transform_rows(start):
        # Worker threads start in the default modes; take the caller's.
        with torch.inference_mode() if inference else torch.set_grad_enabled(grad):
            x = tensor[start : start + chunk_size]
            for first, last, nfft, spectra in groups:
                spec = forward(x, n=nfft, dim=-1)  # (chunk, n_freq)
                out = inverse(
                    spec[:, None, :] * spectra, n=nfft, dim=-1, norm="forward"
                )
                coefs[start : start + chunk_size, first:last] = out[..., :length]

    starts = range(0, n, chunk_size)
    n_workers = min(torch.get_num_threads(), len(starts))
    building_graph = torch.is_grad_enabled() and tensor.requires_grad
    if n_workers > 1 and tensor.device.type == "cpu" and not building_graph:
        # Whole chunks per thread instead of torch's intra-op threads: the
        # chunks' many small FFTs would each end in a barrier, which stalls
        # badly when the cores are shared with other processes.
        if was_numpy and not reused:
            _fault_in_huge_pages(coefs)
        _run_in_threads(transform_rows, starts, n_workers)
    else:
        for start in starts:
            transform_rows(start)
    if was_numpy:
        coefs = result
    if squeeze:
        coefs = coefs[0]
    freqs = (
        np.atleast_1d(pywt.scale2frequency(wav, scales, precision)) / sampling_period
    )
    return coefs, freqs

"""
============================
CWT speed against PyWavelets
============================

:func:`deepsmote_sk.wavelets.cwt` computes the continuous wavelet transform in
PyTorch. It reproduces :func:`pywt.cwt` sample for sample (same integrated
wavelet, same centring), but puts every scale and every signal of a batch
through one batched FFT, and it is differentiable, which DSEASMOTE needs to
train through its scalograms.

This example checks the agreement and times both on the same batch. The
times are measured while the documentation is built, on whatever machine
builds it and with one torch thread, so treat them as an indication: the
ratio measured by ``benchmarks/bench_cwt.py`` on a larger batch is on the
:doc:`benchmark page </benchmarks>`.
"""

# %%
# The same coefficients
# ---------------------
# A batch of 200 standardised windows of 256 samples from the simulator,
# the package's default complex Morlet wavelet, and 64 scales from
# :func:`~deepsmote_sk.wavelets.default_scales`: from the Nyquist frequency down
# to the lowest frequency whose wavelet still fits in a window.
import time

import matplotlib.pyplot as plt
import numpy as np
import pywt

from deepsmote_sk.wavelets import cwt, default_scales
from deepsmote_sk.datasets import (
    make_bearing_signals,
    make_windows,
    standardize_windows,
)

data = make_bearing_signals(classes=["IR007"], duration=5.0, random_state=0)
X = standardize_windows(make_windows(data.signals["IR007"], 256, n=200))
wavelet = "cmor1.5-1.0"
scales = default_scales(256, wavelet, n_scales=64)

ours, freqs = cwt(X, scales, wavelet)
theirs, _ = pywt.cwt(X, scales, wavelet, axis=-1, method="fft")
theirs = np.moveaxis(theirs, 0, 1)  # pywt puts scales first: (scales, n, L)
print("output shape:", ours.shape)
print(
    "max |difference| / max |pywt|:", np.abs(ours - theirs).max() / np.abs(theirs).max()
)

# %%
# Timing
# ------
# The median of three calls each. The torch CWT is called once before
# timing: its first call on a new (wavelet, scales, length) builds and caches
# the filters' spectra. ``pywt.cwt`` is timed with both of its methods.


def median_time(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


X32 = X.astype(np.float32)
cwt(X32, scales, wavelet)
timings = {
    "deepsmote_sk.cwt": median_time(lambda: cwt(X32, scales, wavelet)),
    'pywt.cwt, method="fft"': median_time(
        lambda: pywt.cwt(X32, scales, wavelet, axis=-1, method="fft")
    ),
    'pywt.cwt, method="conv"': median_time(
        lambda: pywt.cwt(X32, scales, wavelet, axis=-1, method="conv")
    ),
}
for name, seconds in timings.items():
    print(f"{name:>24}: {seconds:.3f} s")
fastest_pywt = min(
    timings['pywt.cwt, method="fft"'], timings['pywt.cwt, method="conv"']
)
print(f"ratio (faster pywt / torch): {fastest_pywt / timings['deepsmote_sk.cwt']:.1f}x")

# %%
# The scalogram of one window, and the times
# ------------------------------------------
# The magnitude of the coefficients of one inner-race fault window. Each
# impact of a rolling element on the fault rings the simulated bearing's
# structural resonances (2.8 and 4.4 kHz): a short burst of energy in those
# bands. ``cwt`` returns the centre frequency of each scale in cycles per
# sample; times the sampling rate, in Hz.
fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
ax_img.imshow(np.abs(ours[0]), aspect="auto", cmap="viridis")
rows = [0, 16, 32, 48, 63]
ax_img.set_yticks(rows, [f"{freqs[i] * data.fs / 1000:.2f}" for i in rows])
ax_img.set(
    xlabel="time (samples)", ylabel="frequency (kHz)", title="|CWT| of one IR007 window"
)
ax_bar.barh(list(timings), list(timings.values()), color=["C0", "C1", "C1"])
ax_bar.set(xlabel="median time (s)", title="200 x 256 samples, 64 scales, 1 thread")
ax_bar.invert_yaxis()
plt.show()

"""
=========================================
Real and synthetic signals and scalograms
=========================================

In signal mode :class:`~deepsmote_sk.DSEASMOTE` returns synthetic *signals*:
windows of the same length as the real ones, which can be inspected like
any recording. This example puts real and synthetic fault windows side by
side, in time, as scalograms and as mean power spectra, and scores them with
the generation metrics of :mod:`deepsmote_sk.metrics`.

The generator is trained for a few dozen steps only, to keep the example
fast. Synthetic windows of a generator trained this briefly are a rough
sketch of the real ones; the point here is how to look at them.
"""

# %%
# Resample an imbalanced training set
# -----------------------------------
# Simulated healthy and faulty bearings, BR 1:20: 200 healthy windows and 10
# of each fault. ``fit_resample`` returns the original rows first, untouched,
# then the synthetic rows class by class.
import matplotlib.pyplot as plt
import numpy as np

from deepsmote_sk import DSEASMOTE
from deepsmote_sk.datasets import make_bearing_signals, make_imbalanced_split

data = make_bearing_signals(duration=4.0, random_state=0)
X_train, y_train, _, _ = make_imbalanced_split(
    data, "1:20", window=256, n_majority=200, n_test=10, random_state=0
)
sampler = DSEASMOTE(
    channels=(8, 16), latent_dim=16, max_epochs=40, max_rounds=2, random_state=0
)
X_res, y_res = sampler.fit_resample(X_train, y_train)
X_syn, y_syn = X_res[len(X_train) :], y_res[len(X_train) :]
print(
    "synthetic rows per class:",
    {str(c): int((y_syn == c).sum()) for c in np.unique(y_syn)},
)

# %%
# Windows and scalograms
# ----------------------
# One real and one synthetic window of each fault class, and their
# scalograms computed by :func:`~deepsmote_sk.wavelets.scalogram` with the scales
# the sampler used (``scales_``, 16 scales with the default preset). Top
# rows of an image are high frequencies. Each synthetic window is a real
# window of its class at a new phase, moved part of the way towards an
# aligned neighbour by the decoder (the default's residual synthesis).
from deepsmote_sk.wavelets import scalogram

faults = ["IR007", "OR007", "B007"]
fig, axes = plt.subplots(len(faults), 4, figsize=(11, 6.5), layout="constrained")
for row, label in zip(axes, faults):
    real = X_train[y_train == label][0]
    synthetic = X_syn[y_syn == label][0]
    images = scalogram(np.vstack([real, synthetic]), sampler.scales_)
    for ax, signal, kind in zip(row[:2], (real, synthetic), ("real", "synthetic")):
        ax.plot(signal, lw=0.8, color="C0" if kind == "real" else "C1")
        ax.set_title(f"{label}, {kind}", fontsize=9)
        ax.set_xticks([])
    for ax, image, kind in zip(row[2:], images, ("real", "synthetic")):
        ax.imshow(image, aspect="auto", cmap="viridis", vmin=0, vmax=1)
        ax.set_title(f"{label}, {kind} scalogram", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
plt.show()

# %%
# Mean power spectra
# ------------------
# The average power spectrum of the real and of the synthetic windows of
# each class: a synthetic class should put its energy in the same frequency
# bands (here the simulated bearing's structural resonances, excited by the
# fault impacts). The DC bin is left out: real windows are standardised to
# zero mean.
freqs = np.fft.rfftfreq(X_train.shape[1], d=1 / data.fs)[1:]
fig, axes = plt.subplots(
    1, len(faults), figsize=(11, 3), sharey=True, layout="constrained"
)
for ax, label in zip(axes, faults):
    for rows, kind, color in (
        (X_train[y_train == label], "real", "C0"),
        (X_syn[y_syn == label], "synthetic", "C1"),
    ):
        power = (np.abs(np.fft.rfft(rows, axis=1)[:, 1:]) ** 2).mean(axis=0)
        ax.semilogy(freqs / 1000, power / power.sum(), label=kind, color=color)
    ax.set(title=label, xlabel="frequency (kHz)")
axes[0].set_ylabel("share of power")
axes[0].legend()
plt.show()

# %%
# Scores
# ------
# Per class: the mean PCC of each synthetic scalogram with its most
# correlated real one (what the filter thresholds), and the Jensen-Shannon
# divergence between the real and synthetic pixel-intensity histograms and
# between their mean power spectra (0: identical, 1: disjoint).
from deepsmote_sk.metrics import js_divergence, pearson_correlation

for label in faults:
    real_img = scalogram(X_train[y_train == label], sampler.scales_).reshape(
        -1, 32 * 32
    )
    syn_img = scalogram(X_syn[y_syn == label], sampler.scales_).reshape(-1, 32 * 32)
    pcc = pearson_correlation(syn_img, real_img, pairwise=True).max(axis=1).mean()
    js_pixels = js_divergence(real_img, syn_img)
    js_spectrum = js_divergence(
        X_train[y_train == label], X_syn[y_syn == label], distribution="spectrum"
    )
    print(
        f"{label}: PCC {pcc:.2f}, JS(pixels) {js_pixels:.3f}, "
        f"JS(spectrum) {js_spectrum:.3f}"
    )

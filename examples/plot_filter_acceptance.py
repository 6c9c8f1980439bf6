"""
===============================
The quality filter's acceptance
===============================

:class:`~deepsmote_sk.DSEASMOTE` keeps a decoded candidate only when its
auxiliary classifier (AFC) assigns it to the target class with a
probability above ``br_threshold`` and the Pearson correlation (PCC) of its
scalogram with the closest real scalogram of that class is above
``br_threshold`` too (the paper's Eq. 12, see :ref:`threshold`). This
example reads the filter's report, ``quality_``, and then scores a batch of
candidates with the fitted generator to show where the threshold cuts.

It uses the paper's filter: decoded interpolations (``synthesis="decode"``)
judged by the AFC (``use_afc=True, judge="afc"``) on scalograms
(``time_shift=False``).
The default judges residual candidates with an independent classifier
trained on real rows only and compares magnitude spectra (see
:ref:`dseasmote`).

The generator is small and briefly trained, so that the example runs in
about a minute; a longer training moves the candidates up and to the right.
"""

# %%
# One fit, and its report
# -----------------------
# BR 1:20 on the simulator. ``quality_`` has one entry per generated class:
# how many rows were requested, how many candidates were drawn, the share
# that passed, and how many rows had to be filled with the best rejects
# (a ``UserWarning`` says so when that happens).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from deepsmote_sk import DSEASMOTE
from deepsmote_sk.datasets import make_bearing_signals, make_imbalanced_split

data = make_bearing_signals(duration=4.0, random_state=0)
X_train, y_train, _, _ = make_imbalanced_split(
    data, "1:20", window=256, n_majority=200, n_test=10, random_state=0
)
sampler = DSEASMOTE(
    channels=(8, 16),
    latent_dim=16,
    max_epochs=40,
    max_rounds=3,
    synthesis="decode",
    use_afc=True,
    judge="afc",
    time_shift=False,
    random_state=0,
)
X_res, y_res = sampler.fit_resample(X_train, y_train)
report = pd.DataFrame.from_dict(sampler.quality_, orient="index")
print(report.round(3).to_string())

# %%
# Scoring candidates with the fitted generator
# --------------------------------------------
# ``generator_`` is the trained network: ``encode`` maps signals to latent
# codes, ``decode`` maps codes back to signals and ``predict_proba`` is the
# AFC. New candidates are drawn as the sampler draws them: a latent code of
# the class plus a random fraction of the way to one of its nearest
# same-class codes. Each candidate gets the filter's two scores.
import torch
from sklearn.neighbors import NearestNeighbors

from deepsmote_sk.wavelets import scalogram
from deepsmote_sk.metrics import pearson_correlation

generator = sampler.generator_
rng = np.random.RandomState(0)
faults = ["IR007", "OR007", "B007"]
scores = {}
for label in faults:
    real = X_train[y_train == label]
    with torch.no_grad():
        codes = generator.encode(torch.as_tensor(real)).numpy()
        neighbours = (
            NearestNeighbors(n_neighbors=6).fit(codes).kneighbors(codes)[1][:, 1:]
        )
        base = rng.randint(len(codes), size=300)
        partner = neighbours[base, rng.randint(neighbours.shape[1], size=300)]
        gap = rng.uniform(size=(300, 1)).astype(np.float32)
        z = codes[base] + gap * (codes[partner] - codes[base])
        candidates = generator.decode(torch.as_tensor(z))
        proba = generator.predict_proba(candidates).numpy()
    target = list(sampler.classes_).index(label)
    real_images = scalogram(real, sampler.scales_).reshape(len(real), -1)
    images = scalogram(candidates.numpy(), sampler.scales_).reshape(300, -1)
    pcc = pearson_correlation(images, real_images, pairwise=True).max(axis=1)
    scores[label] = (pcc, proba[:, target], proba.argmax(axis=1) == target)

# %%
# Where the threshold cuts
# ------------------------
# Left: every candidate by its PCC and its AFC confidence; the filter with
# ``br_threshold=0.6`` accepts the upper-right box (and only candidates the
# AFC assigns to the class: hollow markers are assigned to another class).
# Right: the share of candidates that would pass as a function of the
# threshold.
thresholds = np.linspace(0, 1, 101)
fig, (ax_scatter, ax_rate) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
for i, label in enumerate(faults):
    pcc, confidence, assigned = scores[label]
    ax_scatter.scatter(
        pcc[assigned], confidence[assigned], s=8, color=f"C{i}", label=label
    )
    ax_scatter.scatter(
        pcc[~assigned],
        confidence[~assigned],
        s=8,
        facecolors="none",
        edgecolors=f"C{i}",
        linewidths=0.5,
    )
    rate = [np.mean((pcc > t) & (confidence > t) & assigned) for t in thresholds]
    ax_rate.plot(thresholds, rate, color=f"C{i}", label=label)
ax_scatter.axvline(0.6, color="k", lw=0.8, ls="--")
ax_scatter.axhline(0.6, color="k", lw=0.8, ls="--")
ax_scatter.set(
    xlabel="PCC with the closest real scalogram",
    ylabel="AFC probability of the class",
    xlim=(-0.2, 1),
    ylim=(0, 1),
)
ax_scatter.legend(loc="lower left")
ax_rate.axvline(0.6, color="k", lw=0.8, ls="--")
ax_rate.set(
    xlabel="br_threshold", ylabel="share of candidates accepted", ylim=(0, 1.02)
)
ax_rate.legend()
plt.show()

# %%
# Reading the plots
# -----------------
# The acceptance rate falls quickly once the threshold passes the typical
# PCC of the candidates: with a briefly trained generator few candidates
# reach 0.6, and the sampler fills the gap with its best rejects. Training
# longer (``max_steps``; the default ``"fast"`` preset trains 400 steps)
# or lowering ``br_threshold`` raises the acceptance; which threshold serves
# the downstream classifier best is a question for cross-validation
# (:ref:`sphx_glr_auto_examples_plot_tune_br_threshold.py`).

"""
======================================
The shapelet network and its shapelets
======================================

:class:`~deepsmote_sk.ShapeletNetClassifier` learns *shapelets*: short
waveforms, at several lengths, whose best match in a window is evidence for
a class. They start as k-means++ centres of sliding windows of the training
signals and are trained with the rest of the network. Because they are
waveforms, they can be plotted and found back in the signals, which makes
the classifier's evidence visible.

The network here is small and trained for a few epochs on simulated
windows, to run in about a minute.
"""

# %%
# Train on simulated windows
# --------------------------
# Four classes, 50 training windows of 256 samples each, cut in time.
# The network weighs classes by their inverse frequency
# (``class_weight="balanced"``, its default), which matters on imbalanced data.
import numpy as np
from sklearn.metrics import f1_score

from deepsmote_sk import ShapeletNetClassifier
from deepsmote_sk.datasets import make_bearing_signals, make_imbalanced_split

data = make_bearing_signals(duration=4.0, random_state=0)
X_train, y_train, X_test, y_test = make_imbalanced_split(
    data, "1:1", window=256, n_majority=50, n_test=50, random_state=0
)
clf = ShapeletNetClassifier(
    shapelet_lengths=(16, 32, 64),
    n_shapelets=8,
    pool_length=32,
    n_channels=8,
    lstm_hidden=16,
    max_epochs=15,
    batch_size=32,
    lr=0.01,
    random_state=0,
).fit(X_train, y_train)
print("scales used:", clf.shapelet_lengths_)
print(
    "macro F1 on the test windows:",
    round(f1_score(y_test, clf.predict(X_test), average="macro"), 3),
)

# %%
# Which shapelets speak for which class
# -------------------------------------
# ``transform`` gives, for every window, each shapelet's best similarity
# (in (0, 1], 1 = a perfect match somewhere in the window). Averaged per
# class, the columns that differ between classes are the shapelets the
# network can use to tell them apart.
import matplotlib.pyplot as plt

features = clf.transform(X_test)
classes = list(clf.classes_)
means = np.vstack([features[y_test == c].mean(axis=0) for c in classes])
n_shapelets = clf.n_shapelets

fig, ax = plt.subplots(figsize=(10, 2.8), layout="constrained")
image = ax.imshow(means, aspect="auto", cmap="magma")
ax.set_yticks(range(len(classes)), classes)
ticks = np.arange(0, means.shape[1], n_shapelets)
ax.set_xticks(ticks, [f"length {n}" for n in clf.shapelet_lengths_], ha="left")
ax.set_xlabel("shapelet (grouped by length)")
fig.colorbar(image, ax=ax, label="mean best similarity")
plt.show()

# %%
# The shapelets and where they match
# ----------------------------------
# For each fault class, the shapelet whose mean similarity exceeds the other
# classes' the most, drawn over the place where it matches a test window of
# that class best (largest Pearson correlation with a segment of the window,
# the match the network's z-normalised distance measures). Shapelets are
# parameters of ``module_.shapelet_layer``, one tensor per length; they are
# z-normalised when used, and drawn here rescaled to the matched segment.
# A margin near zero means that no single shapelet singles the class out:
# the network then tells it apart by the combination of similarities it
# reads through its CNN and BiLSTM.
from numpy.lib.stride_tricks import sliding_window_view

shapelets = [p.detach().cpu().numpy() for p in clf.module_.shapelet_layer.shapelets]
flat = [
    (length, s)
    for length, group in zip(clf.shapelet_lengths_, shapelets)
    for s in group
]


def zscore(a, axis=-1):
    return (a - a.mean(axis, keepdims=True)) / (a.std(axis, keepdims=True) + 1e-12)


faults = [c for c in classes if c != "normal"]
fig, axes = plt.subplots(
    len(faults), 1, figsize=(10, 6), sharex=True, layout="constrained"
)
for ax, label in zip(axes, faults):
    row = classes.index(label)
    margin = means[row] - np.delete(means, row, axis=0).max(axis=0)
    best = int(np.argmax(margin))
    length, shapelet = flat[best]
    window = X_test[y_test == label][0]
    segments = zscore(sliding_window_view(window, length))
    start = int(np.argmax(segments @ zscore(shapelet) / length))
    segment = window[start : start + length]
    ax.plot(window, color="0.6", lw=0.8, label="test window")
    ax.plot(
        np.arange(start, start + length),
        zscore(shapelet) * segment.std() + segment.mean(),
        color="C3",
        lw=1.6,
        label=f"shapelet {best} (length {length})",
    )
    ax.set_title(
        f"{label}: margin {margin[best]:.2f} over the other classes",
        fontsize=9,
        loc="left",
    )
    ax.legend(loc="upper right", fontsize=8)
axes[-1].set_xlabel("sample")
plt.show()

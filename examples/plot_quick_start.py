"""
====================================
Quick start: DSEASMOTE in a pipeline
====================================

A fault-diagnosis training set with many healthy windows and few faulty ones
is balanced by :class:`~deepsmote_sk.DSEASMOTE` and a WDCNN is trained on the
result, all inside one :class:`imblearn.pipeline.Pipeline`. The same
classifier trained on the imbalanced set is the baseline.

The data come from the package's bearing-vibration simulator, so the example
needs no download. Everything is small (few windows, a small generator, few
epochs) so that it runs in about a minute on a laptop CPU; the numbers it
prints show the workflow, not what the method achieves. Measured results
are on the :doc:`benchmark page </benchmarks>`.
"""

# %%
# An imbalanced training set
# --------------------------
# :func:`~deepsmote_sk.datasets.make_bearing_signals` simulates one recording
# per class (healthy, and 0.007-inch inner-race, outer-race and ball
# faults). :func:`~deepsmote_sk.datasets.make_imbalanced_split` cuts it into
# 256-sample windows with the project's protocol: training windows from the
# first 80 % of each recording, test windows from the rest, and a balance
# ratio (BR) of 1:20 between each fault class and the healthy class.
import numpy as np

from deepsmote_sk.datasets import make_bearing_signals, make_imbalanced_split

data = make_bearing_signals(duration=4.0, random_state=0)
X_train, y_train, X_test, y_test = make_imbalanced_split(
    data, "1:20", window=256, n_majority=200, n_test=100, random_state=0
)
for name, y in (("training", y_train), ("test", y_test)):
    labels, counts = np.unique(y, return_counts=True)
    print(f"{name} windows per class:", dict(zip(labels.tolist(), counts.tolist())))

# %%
# The pipeline
# ------------
# ``DSEASMOTE`` is an imbalanced-learn sampler: inside a ``Pipeline`` it
# resamples the training data during ``fit`` only and is skipped at
# prediction. By default it generates fault windows until every class has
# as many rows as the largest one. Here the generator is shrunk
# (``channels``, ``latent_dim``, ``max_epochs``) to fit the time budget; the
# defaults of the ``"fast"`` preset train longer.
from imblearn.pipeline import Pipeline

from deepsmote_sk import DSEASMOTE, WDCNNClassifier

sampler = DSEASMOTE(
    channels=(8, 16), latent_dim=16, max_epochs=30, max_rounds=2, random_state=0
)
model = Pipeline(
    [
        ("oversample", sampler),
        ("classify", WDCNNClassifier(max_epochs=15, random_state=0)),
    ]
)
model.fit(X_train, y_train)

# %%
# The sampler's fitted attributes tell what happened during ``fit``. For each
# generated class, ``quality_`` reports how many candidates the quality
# filter drew and accepted (see
# :ref:`sphx_glr_auto_examples_plot_filter_acceptance.py`).
fitted = model.named_steps["oversample"]
for label, report in fitted.quality_.items():
    print(
        f"{label}: {report['n_requested']} requested, {report['n_drawn']} drawn, "
        f"acceptance rate {report['acceptance_rate']:.2f}, "
        f"{report['n_filled']} filled from rejects"
    )

# %%
# Baseline and scores
# -------------------
# The baseline is the same classifier, with the same seed, trained on the
# imbalanced windows. Macro F1 and the G-mean weigh every class equally,
# which accuracy does not when classes are imbalanced.
from sklearn.metrics import f1_score

from deepsmote_sk.metrics import g_mean

baseline = WDCNNClassifier(max_epochs=15, random_state=0).fit(X_train, y_train)
predictions = {
    "no resampling": baseline.predict(X_test),
    "DSEASMOTE": model.predict(X_test),
}
for name, y_pred in predictions.items():
    print(
        f"{name:>14}: macro F1 {f1_score(y_test, y_pred, average='macro'):.3f}, "
        f"G-mean {g_mean(y_test, y_pred):.3f}"
    )

# %%
# Confusion matrices
# ------------------
# Rows are the true classes, normalised to 1: the diagonal is each class's
# recall.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, axes = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
for ax, (name, y_pred) in zip(axes, predictions.items()):
    ConfusionMatrixDisplay.from_predictions(
        y_test, y_pred, normalize="true", values_format=".2f", colorbar=False, ax=ax
    )
    ax.set_title(name)
plt.show()

# %%
# Reading the result
# ------------------
# Trained on 200 healthy windows and 10 of each fault, the baseline sends
# most fault windows to ``normal``: the bias that imbalance causes. How much
# resampling corrects it depends on the quality of the synthetic windows,
# and this generator was trained for 30 epochs on 40 windows; the filter's
# report above says how many of its candidates passed. Longer training (the
# ``"fast"`` preset's 150 epochs, or ``preset="paper"`` on a GPU), more
# classifier epochs and the protocol's 2000 healthy windows are what the
# :doc:`benchmark </benchmarks>` uses.

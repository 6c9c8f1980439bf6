"""
=========================================
Tuning ``br_threshold`` with GridSearchCV
=========================================

``br_threshold`` decides how strict the quality filter of
:class:`~deepsmote_sk.DSEASMOTE` is (see :ref:`threshold`). Like any
parameter of a scikit-learn estimator it can be tuned by cross-validation:
put the sampler and the classifier in an imbalanced-learn ``Pipeline`` and
search over ``oversample__br_threshold``. The pipeline resamples each
training fold only; the validation fold keeps its real, imbalanced windows.

Each candidate trains one generator and one classifier per fold, so the
search below is tiny (two folds, three candidates, small networks, few
epochs) to run in about a minute; its scores are too noisy to rank the
candidates, and the point is the mechanics.
"""

# %%
# Data and pipeline
# -----------------
# BR 1:10 on the simulator: 100 healthy windows and 10 of each fault.
from deepsmote_sk.datasets import make_bearing_signals, make_imbalanced_split

data = make_bearing_signals(duration=3.0, random_state=0)
X_train, y_train, _, _ = make_imbalanced_split(
    data, "1:10", window=256, n_majority=100, n_test=1, random_state=0
)

from imblearn.pipeline import Pipeline

from deepsmote_sk import DSEASMOTE, WDCNNClassifier

model = Pipeline(
    [
        (
            "oversample",
            DSEASMOTE(
                channels=(8, 16),
                latent_dim=16,
                max_epochs=20,
                max_rounds=2,
                random_state=0,
            ),
        ),
        ("classify", WDCNNClassifier(width=0.5, max_epochs=10, random_state=0)),
    ]
)

# %%
# The search
# ----------
# A list of grids: the filter switched off (every decoded candidate is
# kept), and the filter with two thresholds. The filter fills missing rows
# with its best rejects when too few candidates pass, and warns; the
# warnings are silenced here to keep the output short. Scoring by macro F1
# weighs every class equally.
import warnings

from sklearn.model_selection import GridSearchCV, StratifiedKFold

param_grid = [
    {"oversample__use_filter": [False]},
    {"oversample__br_threshold": [0.3, 0.6]},
]
search = GridSearchCV(
    model,
    param_grid,
    scoring="f1_macro",
    cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0),
    refit=False,
)
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="DSEASMOTE: the quality filter")
    search.fit(X_train, y_train)

# %%
# Results
# -------
# ``cv_results_`` holds the score of every candidate on every fold.
import matplotlib.pyplot as plt
import pandas as pd

results = pd.DataFrame(search.cv_results_)
results["candidate"] = [
    (
        "no filter"
        if params.get("oversample__use_filter") is False
        else f"br_threshold={params['oversample__br_threshold']}"
    )
    for params in results["params"]
]
print(
    results[
        [
            "candidate",
            "split0_test_score",
            "split1_test_score",
            "mean_test_score",
            "std_test_score",
            "mean_fit_time",
        ]
    ]
    .round(3)
    .to_string()
)
print("best:", search.best_params_)

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.bar(
    results["candidate"],
    results["mean_test_score"],
    yerr=results["std_test_score"],
    capsize=4,
    color="C0",
)
for i, row in results.iterrows():
    ax.plot([i, i], [row["split0_test_score"], row["split1_test_score"]], "k.", ms=8)
ax.set(
    ylabel="macro F1 (2-fold CV)",
    ylim=(0, 1),
    title="Cross-validated score per candidate (dots: folds)",
)
plt.show()

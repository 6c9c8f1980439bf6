"""DSEASMOTE at work: what it generates, the ablations, pipelines and grid search."""

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from deepsmote_sk.wavelets import scalogram

from _dseasmote_helpers import signals, tiny

pytestmark = pytest.mark.filterwarnings(
    "ignore:DSEASMOTE. the quality filter:UserWarning"
)


def _peak_bin(X):
    return np.abs(np.fft.rfft(X, axis=1))[:, 1:].argmax(axis=1) + 1


def test_trained_generator_synthesises_signals_of_the_minority_class():
    X, y = signals((40, 8), length=64)
    sampler = tiny(
        max_epochs=60, batch_size=64, channels=(8,), latent_dim=8, image_size=16
    )
    X_res, y_res = sampler.fit_resample(X, y)
    new = X_res[len(X) :]
    # Class 1 is a sine at 0.55 rad/sample: FFT bin 0.55 / (2 pi) * 64 = 5.6.
    assert set(np.unique(_peak_bin(X[y == 1]))) <= {5, 6}
    assert np.mean(np.isin(_peak_bin(new), [5, 6])) >= 0.9
    report = sampler.quality_[1]
    assert report["acceptance_rate"] > 0.5 and report["n_filled"] == 0
    assert report["mean_pcc"] > 0.6 and report["mean_confidence"] > 0.6
    # The losses went down.
    assert sampler.history_[-1]["loss"] < sampler.history_[0]["loss"]


@pytest.mark.parametrize(
    "params, absent",
    [
        (dict(), {"afc"}),
        (dict(use_afc=True), set()),
        (dict(use_sea=False, use_afc=True), set()),
        (dict(use_afc=False), {"afc"}),
        (dict(use_sea=False, use_afc=False), {"afc"}),
        (dict(use_afc=True, distance_weight=0.1), set()),
        (dict(latent_weight=0.0), {"latent", "afc"}),
        (dict(use_cwt=False), {"tf", "afc"}),
        (dict(use_filter=False), {"afc"}),
    ],
    ids=[
        "default-no-AFC", "M0-SEA-and-AFC", "M1-no-SEA", "M2-no-AFC", "M3-neither",
        "with-distance", "no-latent", "no-CWT", "no-filter",
    ],
)
def test_ablation_switches_change_what_is_trained(params, absent):
    X, y = signals((30, 6), length=64)
    sampler = tiny(**params)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.shape == (60, 64) and np.isfinite(X_res).all()
    losses = set(sampler.history_[0])
    expected = {"loss", "time", "energy", "tf", "afc", "latent"} - absent
    if params.get("distance_weight"):
        expected.add("distance")
    assert losses == expected
    report = sampler.quality_[1]
    # The independent judge still filters without the AFC (M2, M3); without
    # the filter there is no judge to train.
    assert np.isfinite(report["mean_confidence"]) == params.get("use_filter", True)
    if params.get("use_filter") is False:
        assert report["acceptance_rate"] == 1.0 and report["n_drawn"] == 24


def test_image_mode_resamples_flattened_scalograms():
    X, y = signals((30, 6), length=64)
    images = scalogram(X, n_scales=8, image_size=(8, 16)).reshape(len(X), -1)
    sampler = tiny(image_shape=(8, 16), image_size=None)
    X_res, y_res = sampler.fit_resample(images, y)
    assert X_res.shape == (60, 128) and np.isfinite(X_res).all()
    assert not sampler.use_cwt_ and sampler.generator_.image_shape == (1, 8, 16)
    assert "tf" not in sampler.history_[0]


class _Recorder(ClassifierMixin, BaseEstimator):
    """Nearest-neighbour classifier that logs the class counts it sees."""

    log = []

    def fit(self, X, y):
        self.log.append(("fit", np.bincount(y).tolist()))
        self.knn_ = KNeighborsClassifier(1).fit(X, y)
        self.classes_ = self.knn_.classes_
        return self

    def predict(self, X):
        self.log.append(("predict", len(X)))
        return self.knn_.predict(X)


def test_pipeline_resamples_in_fit_only():
    X, y = signals((40, 10), length=64)
    _Recorder.log.clear()
    pipe = Pipeline([("os", tiny()), ("clf", _Recorder())])
    scores = cross_val_score(
        pipe, X, y, cv=StratifiedKFold(2, shuffle=True, random_state=0)
    )
    assert len(scores) == 2 and np.all((scores >= 0) & (scores <= 1))
    fits = [counts for kind, counts in _Recorder.log if kind == "fit"]
    predicts = [n for kind, n in _Recorder.log if kind == "predict"]
    assert fits == [[20, 20], [20, 20]]  # training folds of 20 + 5, balanced
    assert predicts == [25, 25]  # test folds untouched


def test_grid_search_over_threshold_and_architecture():
    X, y = signals((24, 8), length=64)
    pipe = Pipeline([("os", tiny()), ("clf", KNeighborsClassifier(1))])
    grid = GridSearchCV(
        pipe,
        {"os__br_threshold": [0.3, 0.6], "os__latent_dim": [4, 8]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="balanced_accuracy",
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["os__br_threshold"] in (0.3, 0.6)
    assert grid.best_estimator_.named_steps["os"].generator_ is not None


@pytest.mark.slow
def test_cwru_br_1_to_100_default_preset_passes_its_own_filter(cwru_path):
    from deepsmote_sk import DSEASMOTE
    from deepsmote_sk.datasets import load_cwru, make_imbalanced_split

    data = load_cwru(cwru_path)
    X, y, _, _ = make_imbalanced_split(data, ratio=1 / 100, random_state=0)
    keep = np.isin(y, ["normal", "IR007", "OR007"])
    sampler = DSEASMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X[keep], y[keep])
    assert len(X_res) == 6000 and np.isfinite(X_res).all()
    for label in ("IR007", "OR007"):
        report = sampler.quality_[label]
        assert report["acceptance_rate"] > 0.5 and report["n_filled"] == 0, report
        assert report["mean_pcc"] > 0.6 and report["mean_confidence"] > 0.6, report
    # Synthetic windows have about the energy of the real, standardised ones.
    assert 0.8 < X_res[len(X[keep]) :].std(axis=1).mean() < 1.2

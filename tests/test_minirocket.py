"""MiniRocketClassifier: MiniRocket features and a cross-validated ridge."""

import doctest
import importlib.util
import pickle
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from deepsmote_sk.benchmark import CLASSIFIERS, make_grid, run_group
from deepsmote_sk.benchmark._metrics import features_of
from deepsmote_sk.classifiers import MiniRocketClassifier, WDCNNClassifier

HAS_AEON = importlib.util.find_spec("aeon") is not None
needs_aeon = pytest.mark.skipif(
    not HAS_AEON,
    reason="aeon is not installed (pip install 'deepsmote_sk[minirocket]')",
)


def _sines(n_per_class=30, length=64, seed=0):
    """Noisy sines of two frequencies with random phases: an easy 2-class task."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    X = np.vstack(
        [
            np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi, (n_per_class, 1)))
            for period in (8, 20)
        ]
    )
    X += rng.normal(0, 0.3, X.shape)
    y = np.repeat(["fast", "slow"], n_per_class)
    return X.astype(np.float32), y


# ------------------------------------------------------------ without aeon
def test_fit_without_aeon_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m.split(".")[0] == "aeon"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "aeon", None)
    clf = MiniRocketClassifier(n_kernels=84)
    assert clf.get_params()["n_kernels"] == 84  # constructing needs no aeon
    with pytest.raises(
        ImportError, match=r"pip install 'deepsmote_sk\[minirocket\]'"
    ):
        clf.fit(*_sines())


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        MiniRocketClassifier().predict(np.zeros((2, 16)))


def test_invalid_n_kernels_is_rejected_at_fit():
    with pytest.raises(ValueError, match="n_kernels"):
        MiniRocketClassifier(n_kernels=10).fit(*_sines())


def test_benchmark_spec_passes_no_device_and_has_no_step_budget():
    spec = CLASSIFIERS["minirocket"]
    clf = spec.build(
        {"n_kernels": 168}, class_weight="balanced", random_state=3, device="cpu"
    )
    assert isinstance(clf, MiniRocketClassifier)
    assert (clf.n_kernels, clf.class_weight, clf.random_state) == (168, "balanced", 3)
    assert spec.budget is None
    wdcnn = CLASSIFIERS["wdcnn"].build(
        {}, class_weight=None, random_state=0, device="cpu"
    )
    assert isinstance(wdcnn, WDCNNClassifier) and wdcnn.device == "cpu"
    assert CLASSIFIERS["wdcnn"].budget == "steps"


# --------------------------------------------------------------- with aeon
@needs_aeon
def test_separates_sines_of_two_frequencies():
    X, y = _sines(seed=0)
    X_test, y_test = _sines(seed=1)
    clf = MiniRocketClassifier(n_kernels=168, random_state=0).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.9
    assert list(clf.classes_) == ["fast", "slow"]
    assert clf.n_features_in_ == 64
    assert clf.alpha_ in np.logspace(-3, 3, 10)


@needs_aeon
def test_random_state_makes_fits_reproducible():
    X, y = _sines()
    first = MiniRocketClassifier(n_kernels=168, random_state=0).fit(X, y)
    again = clone(first).fit(X, y)
    np.testing.assert_array_equal(first.decision_function(X), again.decision_function(X))


@needs_aeon
def test_class_weight_reaches_the_ridge():
    X, y = _sines()
    clf = MiniRocketClassifier(n_kernels=84, class_weight="balanced", random_state=0)
    assert clf.fit(X, y).ridge_.class_weight == "balanced"


@needs_aeon
def test_decision_function_has_one_column_per_class_beyond_two():
    X, y = _sines()
    y = np.where(np.arange(len(y)) % 3 == 0, "third", y)
    clf = MiniRocketClassifier(n_kernels=84, random_state=0).fit(X, y)
    assert clf.decision_function(X).shape == (len(X), 3)
    assert features_of(clf, X[:5]).shape == (5, 3)  # the benchmark's t-SNE input


@needs_aeon
def test_series_shorter_than_the_kernels_are_zero_padded():
    X, y = _sines(length=5)
    clf = MiniRocketClassifier(n_kernels=84, random_state=0).fit(X, y)
    assert clf.predict(X).shape == (len(X),)


@needs_aeon
def test_pickled_classifier_predicts_the_same():
    X, y = _sines()
    clf = MiniRocketClassifier(n_kernels=84, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))


@needs_aeon
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_passes_scikit_learn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(
        MiniRocketClassifier(n_kernels=84, random_state=0), on_fail=None
    )
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert not failed


@needs_aeon
def test_docstring_example_runs():
    """The Examples section, with the fit that needs aeon un-skipped."""
    text = MiniRocketClassifier.__doc__.replace("# doctest: +SKIP", "")
    example = doctest.DocTestParser().get_doctest(
        text, {}, "MiniRocketClassifier", None, 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(example)
    assert runner.summarize(verbose=False).failed == 0


@needs_aeon
def test_a_benchmark_cell_trains_minirocket():
    cells = make_grid(
        dataset="simulator",
        data_hash="minirocket",
        ratios=["1:5"],
        methods=["none"],
        classifiers=["minirocket"],
        seeds=[0],
        n_majority=40,
        n_test=10,
        classes=["normal", "IR007"],
        classifier_params={"n_kernels": 84},
    )
    (record,) = run_group(cells)
    assert record["row"]["error"] == ""
    assert 0.0 <= record["row"]["accuracy"] <= 1.0

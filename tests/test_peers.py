"""The smote-variants peers of the benchmark, behind ``fit_resample``."""

import importlib.util
import sys
import types

import numpy as np
import pytest

from deepsmote_sk.benchmark import METHODS, make_grid, run_group
from deepsmote_sk.benchmark._grid import _PEERS
from deepsmote_sk.benchmark._peers import SmoteVariantsSampler

HAS_SMOTE_VARIANTS = importlib.util.find_spec("smote_variants") is not None
needs_smote_variants = pytest.mark.skipif(
    not HAS_SMOTE_VARIANTS,
    reason="smote-variants is not installed (pip install 'deepsmote_sk[peers]')",
)


def _imbalanced(dtype=np.float32, counts=(60, 5, 8), n_features=16):
    """Three classes of string labels, the largest first, like the benchmark."""
    rng = np.random.default_rng(0)
    labels = ["normal", "IR007", "B007"]
    X = np.vstack(
        [rng.normal(3 * i, 1, (n, n_features)) for i, n in enumerate(counts)]
    ).astype(dtype)
    y = np.repeat(labels, counts)
    return X, y


def _without_smote_variants(monkeypatch):
    for name in [m for m in sys.modules if m.split(".")[0] == "smote_variants"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "smote_variants", None)


class _FakeMulticlassOversampling:
    """Stands in for smote_variants' wrapper: the rows of X first, then
    ``n_rest - n_c`` interpolated rows per class (its ``equalize_1_vs_many``
    count), or whatever ``behaviour`` asks for."""

    behaviour = "balance"

    def __init__(self, oversampler, oversampler_params, strategy):
        self.params = oversampler_params

    def sample(self, X, y):
        if self.behaviour == "raise":
            raise ValueError("the oversampler broke")
        rng = np.random.default_rng(self.params["random_state"])
        counts = np.bincount(y)
        rows, labels = [X], [y]
        for label in np.flatnonzero(counts < counts.max()):
            if self.behaviour == "copies" and label == 1:
                continue
            own = X[y == label]
            n_new = len(y) - 2 * counts[label]
            pairs = rng.integers(0, len(own), (n_new, 2))
            rows.append((own[pairs[:, 0]] + own[pairs[:, 1]]) / 2)
            labels.append(np.full(n_new, label))
        X_out, y_out = np.vstack(rows), np.concatenate(labels)
        if self.behaviour == "shuffle":
            order = np.random.default_rng(0).permutation(len(y_out))
            X_out, y_out = X_out[order], y_out[order]
        return X_out, y_out


@pytest.fixture
def fake_smote_variants(monkeypatch):
    """A ``smote_variants`` module whose wrapper is :class:`_FakeMulticlassOversampling`."""
    _without_smote_variants(monkeypatch)

    class Wrapper(_FakeMulticlassOversampling):
        pass

    module = types.ModuleType("smote_variants")
    module.MulticlassOversampling = Wrapper
    monkeypatch.setitem(sys.modules, "smote_variants", module)
    return Wrapper


# ------------------------------------------------------ the adapter's contract
def test_fit_resample_returns_original_rows_first_then_exact_balance(
    fake_smote_variants,
):
    X, y = _imbalanced()
    X_res, y_res = SmoteVariantsSampler("ProWSyn", random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    labels, counts = np.unique(y_res, return_counts=True)
    assert dict(zip(labels, counts)) == {"normal": 60, "IR007": 60, "B007": 60}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_resample_keeps_the_float_dtype_of_x(fake_smote_variants, dtype):
    X, y = _imbalanced(dtype)
    X_res, _ = SmoteVariantsSampler(random_state=0).fit_resample(X, y)
    assert X_res.dtype == dtype


def test_same_seed_gives_the_same_rows(fake_smote_variants):
    X, y = _imbalanced()
    first = SmoteVariantsSampler(random_state=3).fit_resample(X, y)
    again = SmoteVariantsSampler(random_state=3).fit_resample(X, y)
    other = SmoteVariantsSampler(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


def test_a_class_left_without_synthetic_rows_raises(fake_smote_variants):
    fake_smote_variants.behaviour = "copies"
    X, y = _imbalanced()
    with pytest.raises(RuntimeError, match="generated no rows for class 'IR007'"):
        SmoteVariantsSampler("SMOBD", random_state=0).fit_resample(X, y)


def test_a_wrapper_that_reorders_the_originals_raises(fake_smote_variants):
    fake_smote_variants.behaviour = "shuffle"
    X, y = _imbalanced()
    with pytest.raises(RuntimeError, match="original rows first"):
        SmoteVariantsSampler(random_state=0).fit_resample(X, y)


def test_errors_of_the_oversampler_propagate(fake_smote_variants):
    fake_smote_variants.behaviour = "raise"
    X, y = _imbalanced()
    with pytest.raises(ValueError, match="the oversampler broke"):
        SmoteVariantsSampler(random_state=0).fit_resample(X, y)


def test_balanced_input_is_returned_unchanged(fake_smote_variants):
    X, y = _imbalanced(counts=(5, 5, 5))
    X_res, y_res = SmoteVariantsSampler(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)


# ------------------------------------------------------------- in the benchmark
def test_peers_are_registered_as_generating_methods():
    assert set(_PEERS) <= set(METHODS)
    for name in _PEERS:
        assert METHODS[name].generates
        assert "smote-variants" in METHODS[name].description


def test_building_a_peer_without_smote_variants_names_the_extra(monkeypatch):
    _without_smote_variants(monkeypatch)
    with pytest.raises(ImportError, match=r"pip install 'deepsmote_sk\[peers\]'"):
        METHODS["ProWSyn"].build(5, 0, {}, None, "cpu")
    with pytest.raises(ImportError, match=r"deepsmote_sk\[peers\]"):
        SmoteVariantsSampler().fit_resample(*_imbalanced())


def test_neighbours_of_the_peers_are_clipped_to_the_smallest_class(
    fake_smote_variants,
):
    assert METHODS["Lee"].build(3, 0, {}, None, "cpu").oversampler_params == {
        "n_neighbors": 2
    }
    assert METHODS["Lee"].build(80, 0, {}, None, "cpu").oversampler_params == {
        "n_neighbors": 5
    }
    sampler = METHODS["polynom_fit_SMOTE"].build(5, 7, {}, None, "cpu")
    assert (sampler.oversampler, sampler.random_state) == ("polynom_fit_SMOTE_star", 7)
    with pytest.raises(ValueError, match="at least 2"):
        METHODS["Lee"].build(1, 0, {}, None, "cpu")


def _peer_cells(method):
    return make_grid(
        dataset="simulator",
        data_hash="peers",
        ratios=["1:10"],
        methods=[method],
        classifiers=["wdcnn"],
        seeds=[0],
        n_majority=40,
        n_test=10,
        classes=["normal", "IR007"],
    )


@pytest.mark.parametrize("behaviour", ["raise", "missing"])
def test_a_failing_peer_is_recorded_as_a_failed_cell_with_its_error(
    fake_smote_variants, monkeypatch, behaviour
):
    if behaviour == "missing":
        _without_smote_variants(monkeypatch)
        expected = "ImportError: The smote-variants peers need"
    else:
        fake_smote_variants.behaviour = "raise"
        expected = "ValueError: the oversampler broke"
    (record,) = run_group(_peer_cells("ProWSyn"))
    assert record["failed"]
    assert record["row"]["method"] == "ProWSyn"
    assert record["row"]["error"].startswith(expected)


# ------------------------------------------------------- the real smote-variants
@needs_smote_variants
@pytest.mark.parametrize("name", sorted(_PEERS))
def test_real_peers_return_originals_first_and_balance_every_class(name):
    X, y = _imbalanced()
    sampler = METHODS[name].build(5, 0, {}, None, "cpu")
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    assert X_res.dtype == np.float32
    labels, counts = np.unique(y_res[len(y) :], return_counts=True)
    assert dict(zip(labels, counts)) == {
        k: v for k, v in sampler.n_generated_.items() if v
    }
    if name == "SMOTE_IPF":  # its noise filter may drop synthetic rows
        assert all(
            0 < sampler.n_generated_[k] <= sampler.sampling_strategy_[k]
            for k in ("IR007", "B007")
        )
    else:
        assert sampler.n_generated_ == sampler.sampling_strategy_
    again = METHODS[name].build(5, 0, {}, None, "cpu").fit_resample(X, y)
    np.testing.assert_array_equal(X_res, again[0])

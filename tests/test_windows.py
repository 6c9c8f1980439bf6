"""Windows and the imbalanced benchmark split of PROTOCOL.md."""

import numpy as np
import pytest
from sklearn.utils import Bunch

from deepsmote_sk.datasets import (
    make_imbalanced_split,
    make_windows,
    standardize_windows,
)


def _signals(n_samples=6000, classes=("normal", "IR", "OR"), seed=0):
    rng = np.random.RandomState(seed)
    return {c: rng.randn(n_samples) + 0.1 * i for i, c in enumerate(classes)}


# ---------------------------------------------------------------- make_windows


def test_make_windows_evenly_spaced_span_the_region():
    signal = np.arange(100.0)
    windows, starts = make_windows(signal, 10, n=5, start=20, stop=80,
                                   return_starts=True)
    np.testing.assert_array_equal(starts, [20, 32, 45, 58, 70])
    assert windows[0, 0] == 20 and windows[-1, -1] == 79
    np.testing.assert_array_equal(windows, signal[starts[:, None] + np.arange(10)])


def test_make_windows_default_is_contiguous_and_disjoint():
    windows = make_windows(np.arange(23.0), 5)
    np.testing.assert_array_equal(windows.ravel(), np.arange(20.0))


def test_make_windows_stride_gives_every_start_that_fits():
    _, starts = make_windows(np.arange(20.0), 6, stride=4, return_starts=True)
    np.testing.assert_array_equal(starts, [0, 4, 8, 12])


def test_make_windows_returns_copies():
    signal = np.arange(10.0)
    windows = make_windows(signal, 5)
    windows[0, 0] = -1
    assert signal[0] == 0


def test_make_windows_rejects_both_n_and_stride():
    with pytest.raises(ValueError, match="either n .* or stride"):
        make_windows(np.arange(10.0), 3, n=2, stride=1)


def test_make_windows_window_longer_than_region_says_what_is_needed():
    with pytest.raises(ValueError, match="window length 50 is longer .* at least 50"):
        make_windows(np.arange(40.0), 50)
    with pytest.raises(ValueError, match="longer than the region"):
        make_windows(np.arange(100.0), 30, start=80)


def test_make_windows_rejects_bad_region():
    with pytest.raises(ValueError, match="start < stop"):
        make_windows(np.arange(100.0), 5, start=50, stop=40)
    with pytest.raises(ValueError, match="stop <= len"):
        make_windows(np.arange(100.0), 5, stop=200)


@pytest.mark.parametrize(
    "signal, match",
    [
        (np.array([0.0, np.nan, 1.0, 2.0]), "NaN or infinity"),
        (np.array([0.0, np.inf, 1.0, 2.0]), "NaN or infinity"),
        (np.zeros((2, 10)), "1-D recording"),
        (np.array(["a", "b", "c", "d"]), "numeric"),
    ],
)
def test_make_windows_rejects_bad_signals(signal, match):
    with pytest.raises(ValueError, match=match):
        make_windows(signal, 2)


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"stride": 0}, {"start": -1}])
def test_make_windows_rejects_non_positive_counts(kwargs):
    with pytest.raises(ValueError):
        make_windows(np.arange(10.0), 2, **kwargs)


# ---------------------------------------------------------- standardize_windows


def test_standardize_windows_gives_zero_mean_unit_variance_rows(rng):
    X = rng.normal(3.0, 5.0, size=(4, 50)).astype(np.float32)
    Z = standardize_windows(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-6)
    np.testing.assert_allclose(Z.std(axis=1), 1, atol=1e-6)


@pytest.mark.parametrize("factor", [1e200, 1e-200, 1e305])
def test_standardize_windows_of_huge_or_tiny_values_is_scale_free(factor, rng):
    X = rng.standard_normal((3, 64)) + 1.0
    with np.errstate(all="raise"):
        Z = standardize_windows(X * factor)
    np.testing.assert_allclose(Z, standardize_windows(X), atol=1e-12)


@pytest.mark.parametrize("value", [0.1, 1e300, -7.3])
def test_standardize_windows_rejects_constant_rows_of_any_value(value):
    # x - mean(x) leaves rounding residue for 0.1, which passed as variance.
    with pytest.raises(ValueError, match="constant windows"):
        standardize_windows(np.full((1, 256), value))


def test_standardize_windows_rejects_constant_rows():
    with pytest.raises(ValueError, match=r"constant windows .* \[1\]"):
        standardize_windows([[1.0, 2.0], [3.0, 3.0]])


# ------------------------------------------------------- make_imbalanced_split

PROTOCOL_COUNTS = {400: 5, 200: 10, 100: 20, 50: 40, 25: 80, 10: 200, 5: 400}


@pytest.mark.parametrize("denominator, n_min", sorted(PROTOCOL_COUNTS.items()))
def test_split_counts_follow_the_protocol_table(denominator, n_min):
    signals = _signals(n_samples=4000)
    for ratio in (1 / denominator, f"1:{denominator}"):
        X_tr, y_tr, X_te, y_te, info = make_imbalanced_split(
            signals, ratio, window=64, random_state=0, return_info=True
        )
        assert info.train_counts == {"normal": 2000, "IR": n_min, "OR": n_min}
        assert info.test_counts == {"normal": 500, "IR": 500, "OR": 500}
        assert X_tr.shape == (2000 + 2 * n_min, 64) and X_te.shape == (1500, 64)
        assert y_tr.shape == (X_tr.shape[0],) and y_te.shape == (1500,)


def test_split_no_window_crosses_the_time_boundary():
    signals = _signals(n_samples=5003)
    *_, info = make_imbalanced_split(signals, 0.1, window=100, n_majority=300,
                                     n_test=40, random_state=0, return_info=True)
    for name, sig in signals.items():
        boundary = info.boundary[name]
        assert boundary == int(0.8 * sig.size)
        assert info.train_starts[name].max() + 100 <= boundary
        assert info.test_starts[name].min() >= boundary
        # test windows evenly spaced from the boundary to the end
        assert info.test_starts[name][0] == boundary
        assert info.test_starts[name][-1] == sig.size - 100


def test_split_majority_windows_are_evenly_spaced_over_the_training_region():
    signals = _signals(n_samples=5000)
    *_, info = make_imbalanced_split(signals, 0.1, window=100, n_majority=50, n_test=10,
                                     random_state=0, return_info=True)
    expected = np.round(np.linspace(0, 4000 - 100, 50)).astype(int)
    np.testing.assert_array_equal(info.train_starts["normal"], expected)
    # minority windows come from that same evenly spaced pool, in time order
    for name in ("IR", "OR"):
        starts = info.train_starts[name]
        assert set(starts) <= set(expected) and len(starts) == 5
        assert np.all(np.diff(starts) > 0)


def test_split_rows_are_the_standardised_windows_at_the_reported_starts():
    signals = _signals(n_samples=3000)
    X_tr, y_tr, X_te, y_te, info = make_imbalanced_split(
        signals, 0.2, window=50, n_majority=40, n_test=10, dtype="float64",
        random_state=1, return_info=True,
    )
    for X, y, starts in ((X_tr, y_tr, info.train_starts),
                         (X_te, y_te, info.test_starts)):
        for name in signals:
            raw = signals[name][starts[name][:, None] + np.arange(50)]
            np.testing.assert_allclose(X[y == name], standardize_windows(raw),
                                       atol=1e-12)


def test_split_without_standardisation_keeps_raw_amplitudes():
    signals = _signals(n_samples=3000)
    X_tr, y_tr, *_, info = make_imbalanced_split(
        signals, 0.5, window=50, n_majority=20, n_test=5, standardize=False,
        dtype=np.float64, random_state=0, return_info=True,
    )
    starts = info.train_starts["OR"]
    np.testing.assert_array_equal(X_tr[y_tr == "OR"],
                                  signals["OR"][starts[:, None] + np.arange(50)])
    assert info.standardized is False


def test_split_windows_are_standardised_and_float32_by_default():
    X_tr, _, X_te, _ = make_imbalanced_split(_signals(), 0.1, window=64, n_majority=100,
                                             n_test=20, random_state=0)
    assert X_tr.dtype == np.float32 and X_te.dtype == np.float32
    for X in (X_tr, X_te):
        np.testing.assert_allclose(X.mean(axis=1), 0, atol=1e-5)
        np.testing.assert_allclose(X.std(axis=1), 1, atol=1e-5)


def test_split_labels_are_class_names_grouped_in_class_order():
    _, y_tr, _, y_te = make_imbalanced_split(_signals(), "1:10", window=64,
                                             n_majority=100, n_test=20, random_state=0)
    assert list(y_tr) == ["normal"] * 100 + ["IR"] * 10 + ["OR"] * 10
    assert list(y_te) == ["normal"] * 20 + ["IR"] * 20 + ["OR"] * 20


def test_split_accepts_a_bunch_and_follows_its_class_names():
    signals = _signals()
    data = Bunch(signals=signals, fs=12000, class_names=["OR", "normal"])
    _, y_tr, _, y_te = make_imbalanced_split(data, 0.1, window=64, n_majority=100,
                                             n_test=20, random_state=0)
    assert list(dict.fromkeys(y_tr)) == ["OR", "normal"]
    assert set(y_te) == {"OR", "normal"}


def test_split_majority_argument_picks_the_majority_class():
    _, y_tr, _, _ = make_imbalanced_split(_signals(), 0.1, window=64, majority="IR",
                                          n_majority=100, n_test=20, random_state=0)
    assert np.sum(y_tr == "IR") == 100 and np.sum(y_tr == "normal") == 10


def test_split_same_seed_gives_the_same_minority_subset_and_others_differ():
    signals = _signals()
    kw = dict(window=64, n_majority=200, n_test=20, return_info=True)
    a = make_imbalanced_split(signals, 0.05, random_state=3, **kw)
    b = make_imbalanced_split(signals, 0.05, random_state=3, **kw)
    c = make_imbalanced_split(signals, 0.05, random_state=4, **kw)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[4].train_starts["IR"], c[4].train_starts["IR"])
    # the test set does not depend on the seed
    np.testing.assert_array_equal(a[2], c[2])


def test_split_leaves_global_numpy_random_state_untouched():
    state = np.random.get_state()[1].copy()
    make_imbalanced_split(_signals(), 0.1, window=64, n_majority=100, n_test=20,
                          random_state=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("ratio", [0, 0.0, 1.5, -0.1, "2:1", "1:0", "0:5", "abc",
                                   "1/100", float("nan")])
def test_split_rejects_ratio_outside_zero_one(ratio):
    with pytest.raises(ValueError, match="ratio"):
        make_imbalanced_split(_signals(), ratio, window=64, n_majority=100, n_test=20)


def test_split_ratio_one_gives_balanced_training_set():
    _, y_tr, _, _ = make_imbalanced_split(_signals(), "1:1", window=64, n_majority=30,
                                          n_test=5, random_state=0)
    counts = {c: int(np.sum(y_tr == c)) for c in set(y_tr)}
    assert counts == {"normal": 30, "IR": 30, "OR": 30}


def test_split_ratio_rounding_to_no_minority_window_raises():
    with pytest.raises(ValueError, match="0 minority windows"):
        make_imbalanced_split(_signals(), 1 / 400, window=64, n_majority=100, n_test=20)


def test_split_unknown_majority_class_raises():
    with pytest.raises(ValueError, match="majority class 'healthy' is not among"):
        make_imbalanced_split(_signals(), 0.1, window=64, majority="healthy")


def test_split_needs_two_classes():
    with pytest.raises(ValueError, match="two classes"):
        make_imbalanced_split({"normal": np.zeros(1000)}, 0.1, window=64)


def test_split_too_short_signal_says_how_many_samples_are_needed():
    signals = _signals()
    signals["IR"] = signals["IR"][:1000]
    with pytest.raises(ValueError,
                       match="'IR' has 1000 samples.*at least 1276 samples"):
        make_imbalanced_split(signals, 0.1, window=256)
    # 1276 is the shortest length that works: 1020 training, 256 test samples
    signals["IR"] = _signals(n_samples=1276)["IR"]
    make_imbalanced_split(signals, 0.1, window=256, n_majority=10, n_test=1)
    signals["IR"] = signals["IR"][:1275]
    with pytest.raises(ValueError, match="at least 1276 samples"):
        make_imbalanced_split(signals, 0.1, window=256, n_majority=10, n_test=1)


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.r_[np.zeros(10), np.nan, np.ones(5000)], "NaN or infinity"),
        (np.zeros((2, 3000)), "1-D recording"),
        (np.array(["x"] * 3000), "numeric"),
    ],
)
def test_split_rejects_bad_signals(bad, match):
    signals = _signals()
    signals["OR"] = bad
    with pytest.raises(ValueError, match=match):
        make_imbalanced_split(signals, 0.1, window=64, n_majority=100, n_test=20)


def test_split_constant_window_names_class_and_position():
    signals = _signals()
    signals["IR"][-200:] = 0.0
    with pytest.raises(ValueError, match="test windows of 'IR' starting at samples"):
        make_imbalanced_split(signals, 0.1, window=64, n_majority=100, n_test=20,
                              random_state=0)


def test_split_rejects_non_mapping_data():
    with pytest.raises(ValueError, match="data"):
        make_imbalanced_split([np.zeros(100)], 0.1)

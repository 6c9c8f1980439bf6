"""DSEASMOTE in the field's hard cases and on bad input."""

from collections import Counter

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

import deepsmote_sk.over_sampling._dseasmote as dseasmote_module
from deepsmote_sk import DSEASMOTE

from _dseasmote_helpers import signals, tiny

pytestmark = pytest.mark.filterwarnings(
    "ignore:DSEASMOTE. the quality filter:UserWarning"
)


def _training_sizes(monkeypatch):
    """Record the number of rows the generator trains on."""
    sizes = []
    original = dseasmote_module.train_generator

    def spy(net, X_train, *args, **kwargs):
        sizes.append(len(X_train))
        return original(net, X_train, *args, **kwargs)

    monkeypatch.setattr(dseasmote_module, "train_generator", spy)
    return sizes


# ------------------------------------------------------------ hard cases
def test_br_1_to_400_five_samples_in_a_class(monkeypatch):
    sizes = _training_sizes(monkeypatch)
    X, y = signals((2000, 5), length=32)
    X_res, y_res = tiny(max_rounds=1).fit_resample(X, y)
    assert Counter(y_res) == {0: 2000, 1: 2000}
    assert np.isfinite(X_res).all()
    assert sizes == [2005]  # every row: no undersampling alignment by default


def test_undersample_alignment_trains_on_the_smallest_class_size(monkeypatch):
    sizes = _training_sizes(monkeypatch)
    X, y = signals((30, 6))
    tiny(undersample_alignment=True).fit_resample(X, y)
    tiny(preset="paper", channels=(4,), latent_dim=4).fit_resample(X, y)
    assert sizes == [12, 12]


def test_class_with_two_samples_interpolates_between_them():
    X, y = signals((30, 2))
    sampler = tiny()
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {0: 30, 1: 30}
    assert sampler.quality_[1]["n_requested"] == 28


def test_class_with_one_sample_falls_back_to_latent_noise():
    X, y = signals((30, 1, 6))
    sampler = tiny()
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {0: 30, 1: 30, 2: 30}
    new = X_res[len(X) :][y_res[len(X) :] == 1]
    assert np.isfinite(new).all()
    # Decoded from noisy copies of one latent code: different rows.
    assert len(np.unique(new.round(6), axis=0)) == len(new)


def test_balanced_input_is_returned_and_nothing_is_trained(monkeypatch):
    sizes = _training_sizes(monkeypatch)
    X, y = signals((10, 10))
    sampler = tiny()
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    assert sizes == [] and sampler.generator_ is None and sampler.history_ == []


def test_more_than_ten_classes():
    X, y = signals((12,) + (3,) * 11, length=64)
    sampler = tiny()
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {label: 12 for label in range(12)}
    assert sampler.generator_.judge.class_head.out_features == 12


@pytest.mark.parametrize("length", [64, 4096])
def test_signals_of_length_64_to_4096_use_the_cwt_front_end(length):
    X, y = signals((6, 3), length=length)
    sampler = tiny(max_epochs=1)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (12, length) and np.isfinite(X_res).all()
    assert sampler.use_cwt_ and len(sampler.scales_) == sampler.config_["image_size"]
    assert "tf" in sampler.history_[0]


def test_short_rows_turn_the_cwt_front_end_off_automatically():
    X, y = signals((20, 5), length=20)
    sampler = tiny()
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.shape == (40, 20)
    assert not sampler.use_cwt_ and sampler.scales_ is None
    assert "tf" not in sampler.history_[0]


def test_filter_shortfall_fills_from_rejects_with_a_warning():
    X, y = signals((30, 6))
    sampler = tiny(br_threshold=1.0)  # PCC and confidence cannot exceed 1
    with pytest.warns(UserWarning, match="best-scoring rejects filled the gap"):
        _, y_res = sampler.fit_resample(X, y)
    report = sampler.quality_[1]
    assert Counter(y_res)[1] == 30
    assert report["n_accepted"] == 0 and report["n_filled"] == 24
    assert report["acceptance_rate"] == 0.0


def test_callable_br_threshold_receives_each_class_balance_ratio():
    X, y = signals((30, 10, 6))
    seen = {}

    def beta(br):
        seen[round(br, 6)] = True
        return 0.1 + 0.5 * br

    sampler = tiny(br_threshold=beta)
    sampler.fit_resample(X, y)
    assert set(seen) == {round(10 / 30, 6), round(6 / 30, 6)}
    assert sampler.quality_[2]["threshold"] == pytest.approx(0.1 + 0.5 * 0.2)


# -------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_rejected(bad):
    X, y = signals()
    X[3, 5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        tiny().fit_resample(X, y)


@pytest.mark.parametrize("shape", [(36,), (36, 8, 8)])
def test_wrong_ndim_is_rejected(shape):
    _, y = signals()
    with pytest.raises(ValueError, match="2D|dim"):
        tiny().fit_resample(np.zeros(shape), y)


def test_signals_too_short_for_the_cwt_are_a_clear_error():
    X, y = signals(length=20)
    with pytest.raises(
        ValueError, match="too short for the CWT front end: at least 32"
    ):
        tiny(use_cwt=True).fit_resample(X, y)


def test_a_single_class_is_rejected():
    X, _ = signals()
    with pytest.raises(ValueError, match="class"):
        tiny().fit_resample(X, np.zeros(len(X)))


def test_image_shape_not_matching_n_features_is_rejected():
    X, y = signals(length=64)
    with pytest.raises(ValueError, match=r"holds 63 values but X has 64 features"):
        tiny(image_shape=(7, 9)).fit_resample(X, y)
    with pytest.raises(ValueError, match="image_shape must be"):
        tiny(image_shape=(8, 0)).fit_resample(X, y)
    with pytest.raises(ValueError, match="use_cwt=True needs signal mode"):
        tiny(image_shape=(8, 8), use_cwt=True).fit_resample(X, y)


@pytest.mark.parametrize("beta", [-0.1, 1.5])
def test_br_threshold_outside_unit_interval_is_rejected(beta):
    X, y = signals()
    with pytest.raises(InvalidParameterError, match="br_threshold"):
        tiny(br_threshold=beta).fit_resample(X, y)
    with pytest.raises(
        ValueError, match=r"br_threshold\(0.2\) must return a number in \[0, 1\]"
    ):
        tiny(br_threshold=lambda br: beta).fit_resample(X, y)


def test_k_neighbors_below_one_is_rejected():
    X, y = signals()
    with pytest.raises(InvalidParameterError, match="k_neighbors"):
        tiny(k_neighbors=0).fit_resample(X, y)


def test_unknown_wavelet_is_a_clear_error():
    X, y = signals(length=64)
    with pytest.raises(ValueError, match="Unknown continuous wavelet 'db4'"):
        tiny(wavelet="db4").fit_resample(X, y)


def test_bad_channels_are_a_clear_error():
    X, y = signals()
    with pytest.raises(ValueError, match="channels must be a non-empty sequence"):
        DSEASMOTE(channels=(), max_epochs=1).fit_resample(X, y)


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_huge_or_tiny_finite_input_is_resampled_in_its_own_scale(factor):
    # The standardisation took a std of squares that overflowed to inf.
    X, y = signals()
    X_res, _ = tiny(use_filter=False).fit_resample(X * factor, y)
    reference, _ = tiny(use_filter=False).fit_resample(X, y)
    assert np.isfinite(X_res).all()
    np.testing.assert_allclose(X_res / factor, reference, atol=1e-5)


# scikit-learn's finiteness check sums X first, which overflows here.
@pytest.mark.filterwarnings("ignore:invalid value encountered in reduce:RuntimeWarning")
def test_float32_input_near_the_float32_limit_gives_finite_rows():
    X, y = signals(dtype=np.float32)
    X = X / np.abs(X).max() * np.float32(3e38)
    X_res, _ = tiny(use_filter=False).fit_resample(X, y)
    assert X_res.dtype == np.float32 and np.isfinite(X_res).all()


def test_batch_size_one_trains_the_generator():
    X, y = signals()
    X_res, _ = tiny(batch_size=1, max_epochs=1, use_filter=False).fit_resample(X, y)
    assert np.isfinite(X_res).all() and len(X_res) == 60

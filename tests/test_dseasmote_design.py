"""What the default DSEASMOTE adds to the paper: judge, phases, moments, no silent no-ops."""

import warnings

import numpy as np
import pytest
import torch

from deepsmote_sk.over_sampling import _dseasmote as dseasmote_module
from deepsmote_sk.over_sampling._phase import (
    align_to,
    match_moments,
    phase_free_view,
    random_roll,
)

from _dseasmote_helpers import signals, tiny

pytestmark = pytest.mark.filterwarnings(
    "ignore:DSEASMOTE. the quality filter:UserWarning"
)


def _scaled_signals():
    """Sines whose rows have their own offset and gain."""
    X, y = signals((30, 6), length=64)
    rng = np.random.RandomState(1)
    gain = rng.uniform(0.5, 3.0, (len(X), 1))
    offset = rng.uniform(-2.0, 2.0, (len(X), 1))
    return X * gain + offset, y


def test_synthetic_windows_have_the_mean_and_scale_of_real_windows_of_their_class():
    X, y = _scaled_signals()
    X_res, y_res = tiny().fit_resample(X, y)
    new = X_res[len(X) :]
    real = X[y == 1]
    moments = np.c_[real.mean(axis=1), real.std(axis=1)]  # (n_real, 2)
    for row in new:
        distance = np.abs(moments - [row.mean(), row.std()]).max(axis=1)
        assert distance.min() < 1e-4


def test_filter_judge_is_trained_on_real_rows_only(monkeypatch):
    seen = []
    original = dseasmote_module.train_judge

    def spy(net, X_std, y_index, **kwargs):
        seen.append((X_std.copy(), y_index.copy()))
        return original(net, X_std, y_index, **kwargs)

    monkeypatch.setattr(dseasmote_module, "train_judge", spy)
    X, y = signals((30, 6), length=64)
    sampler = tiny()
    sampler.fit_resample(X, y)
    (X_judge, y_judge), = seen
    assert len(X_judge) == len(X) and np.bincount(y_judge).tolist() == [30, 6]
    # The judge's rows are the real rows (standardised), never generated ones.
    loc, scale = X.mean(), X.std()
    np.testing.assert_allclose(X_judge, (X - loc) / scale, atol=1e-5)
    judge = sampler.generator_.judge
    generator_ids = set(map(id, sampler.generator_.generator_parameters()))
    assert judge is not None and judge is not sampler.generator_.afc
    assert not generator_ids & set(map(id, judge.parameters()))


def test_paper_preset_is_judged_by_its_afc_and_trains_on_aligned_rows():
    X, y = signals((30, 6), length=64)
    sampler = tiny(preset="paper", channels=(4,), latent_dim=4, n_heads=1)
    sampler.fit_resample(X, y)
    config = sampler.config_
    assert sampler.generator_.judge is None and sampler.generator_.latent_head is None
    assert config["undersample_alignment"] and config["synthesis"] == "decode"
    assert not config["time_shift"] and config["distance_weight"] > 0
    assert "distance" in sampler.history_[0] and "latent" not in sampler.history_[0]


def test_default_trains_for_a_step_budget_whatever_the_class_sizes():
    X, y = signals((30, 6), length=64)
    sampler = tiny(max_epochs=None, max_steps=7)
    sampler.fit_resample(X, y)
    assert sampler.config_["max_steps"] == 7 and len(sampler.history_) == 7


@pytest.mark.parametrize("param", [dict(image_size=8), dict(wavelet="cmor1.5-1.0")])
def test_cwt_parameters_in_image_mode_are_an_error(param):
    X, y = signals((30, 6), length=64)
    with pytest.raises(ValueError, match="image mode has no CWT"):
        tiny(**{**param, "image_shape": (8, 8)}).fit_resample(X, y)


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(use_cwt=False, tf_weight=2.0), "tf_weight"),
        (dict(use_afc=False, afc_weight=0.5), "afc_weight"),
        (dict(use_afc=False, distance_weight=0.5), "distance_weight"),
    ],
)
def test_parameters_without_effect_warn(params, name):
    X, y = signals((30, 6), length=64)
    with pytest.warns(UserWarning, match=f"no effect here: .*{name}"):
        tiny(**params).fit_resample(X, y)


def test_time_shift_on_rows_that_are_not_signals_warns():
    X, y = signals((30, 6), length=20)
    with pytest.warns(UserWarning, match="no effect here: time_shift"):
        tiny(time_shift=True).fit_resample(X, y)


def test_defaults_do_not_warn():
    X, y = signals((30, 6), length=64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny(use_filter=False).fit_resample(X, y)


def test_phase_helpers_roll_images_along_time_only():
    """A flattened (C, H, W) image: every row of the image moves by one shift along W."""
    images = torch.randn(5, 2 * 3 * 8)
    rolled = random_roll(images, torch.Generator().manual_seed(0), length=8)
    series, moved = images.reshape(5, 6, 8), rolled.reshape(5, 6, 8)
    for row, row_rolled in zip(series, moved):
        shifts = [s for s in range(8) if torch.equal(torch.roll(row, s, dims=1), row_rolled)]
        assert len(shifts) == 1  # one shift along time for all six image rows
    assert torch.allclose(align_to(rolled, images, length=8), images)
    assert torch.allclose(
        phase_free_view(rolled, length=8), phase_free_view(images, length=8), atol=1e-5
    )
    # Rolling the flattened row as one signal would mix the image's rows.
    assert not torch.allclose(phase_free_view(rolled), phase_free_view(images), atol=1e-3)


@pytest.mark.parametrize("time_shift, phase", [(None, 16), (False, None)])
def test_image_mode_treats_the_last_axis_as_time(monkeypatch, time_shift, phase):
    seen = []
    original = dseasmote_module.train_generator

    def spy(*args, **kwargs):
        seen.append(kwargs["phase"])
        return original(*args, **kwargs)

    monkeypatch.setattr(dseasmote_module, "train_generator", spy)
    X, y = signals((30, 6), length=64)
    images = np.abs(X).reshape(len(X), 4, 16)  # stand-in (H, W) = (4, 16) images
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, _ = tiny(
            image_shape=(4, 16), image_size=None, time_shift=time_shift, use_filter=False
        ).fit_resample(images.reshape(len(X), -1), y)
    assert seen == [phase] and X_res.shape == (60, 64)


def test_new_images_keep_to_the_range_of_the_real_images():
    X, y = signals((30, 6), length=64)
    images = np.abs(X).reshape(len(X), -1)  # magnitudes: never negative
    X_res, _ = tiny(image_shape=(4, 16), image_size=None).fit_resample(images, y)
    new = X_res[len(X) :]
    tolerance = 1e-5 * images.max()
    assert new.min() >= images.min() - tolerance and new.max() <= images.max() + tolerance
    assert new.min() < images.min() + 0.01  # the clip is reached: the test can fail


def test_phase_helpers_roll_align_and_match_moments():
    x = torch.randn(3, 32)
    rolled = random_roll(x, torch.Generator().manual_seed(0))
    assert torch.allclose(align_to(rolled, x), x)
    matched = match_moments(3 * rolled + 5, x)
    assert torch.allclose(matched.mean(dim=1), x.mean(dim=1), atol=1e-5)
    assert torch.allclose(matched.std(dim=1), x.std(dim=1), atol=1e-5)

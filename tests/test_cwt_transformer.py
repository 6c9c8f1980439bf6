"""Scalogram images: the scalogram function and the CWTTransformer."""

import warnings

import numpy as np
import pandas as pd
import pytest
import pywt
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsmote_sk.wavelets import (
    CWTTransformer,
    cwt,
    default_scales,
    effective_support,
    scalogram,
)


def tones(frequencies, n_per_class, length, rng):
    """Noisy sines, one class per frequency (cycles per sample)."""
    t = np.arange(length)
    X, y = [], []
    for label, f in enumerate(frequencies):
        phase = rng.uniform(0, 2 * np.pi, (n_per_class, 1))
        X.append(
            np.sin(2 * np.pi * f * t + phase)
            + 0.3 * rng.standard_normal((n_per_class, length))
        )
        y += [label] * n_per_class
    return np.vstack(X), np.array(y)


def block_mean(a, rows, cols):
    """Mean over equal (rows x cols) blocks of the last two axes."""
    *lead, h, w = a.shape
    return a.reshape(*lead, rows, h // rows, cols, w // cols).mean(axis=(-3, -1))


def minmax(a):
    lo = a.min(axis=(-2, -1), keepdims=True)
    hi = a.max(axis=(-2, -1), keepdims=True)
    return (a - lo) / (hi - lo)


# scalogram ------------------------------------------------------------------


def test_scalogram_is_cwt_magnitude_of_the_centred_signal_resized_and_minmax_scaled(
    rng,
):
    x = rng.standard_normal((3, 256)) + 2.0
    scales = np.geomspace(2, 64, 64)
    ref, _ = pywt.cwt(x - x.mean(axis=1, keepdims=True), scales, "cmor1.5-1.0", axis=-1)
    expected = minmax(block_mean(np.abs(np.moveaxis(ref, 0, 1)), 32, 32))
    images = scalogram(x, scales, "cmor1.5-1.0", image_size=(32, 32))
    assert images.shape == (3, 32, 32)
    np.testing.assert_allclose(images, expected, atol=1e-9)


def test_log_energy_is_log_of_mean_energy_floored_60_db_below_peak(rng):
    x = rng.standard_normal((2, 128))
    scales = np.geomspace(2, 32, 16)
    ref, _ = pywt.cwt(x - x.mean(axis=1, keepdims=True), scales, "morl", axis=-1)
    energy = block_mean(np.moveaxis(ref, 0, 1) ** 2, 8, 16)
    floor = 1e-6 * energy.max(axis=(-2, -1), keepdims=True)
    expected = minmax(np.log(energy + floor))
    images = scalogram(x, scales, "morl", output="log_energy", image_size=(8, 16))
    np.testing.assert_allclose(images, expected, atol=1e-9)


@pytest.mark.parametrize("output", ["magnitude", "log_energy"])
def test_every_image_spans_exactly_zero_to_one(output, rng):
    x = rng.standard_normal((5, 200)) * rng.uniform(0.01, 100, (5, 1))
    images = scalogram(x, output=output)
    np.testing.assert_allclose(images.min(axis=(1, 2)), 0.0)
    np.testing.assert_allclose(images.max(axis=(1, 2)), 1.0)


def test_scalogram_does_not_depend_on_signal_amplitude(rng):
    x = rng.standard_normal((2, 128))
    np.testing.assert_allclose(scalogram(1000 * x), scalogram(x), atol=1e-9)


@pytest.mark.parametrize("value", [0.0, 1.0, 0.1, -3e5])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_constant_signal_gives_a_zero_image_and_finite_gradient(value, dtype):
    # Not only zeros: the zero padding of a constant window gave edge
    # artefacts stretched to the full [0, 1] range.
    x = torch.full((2, 64), value, dtype=dtype, requires_grad=True)
    for output in ("magnitude", "log_energy"):
        images = scalogram(x, output=output)
        assert torch.equal(images, torch.zeros_like(images))
        (grad,) = torch.autograd.grad(images.sum(), x)
        assert torch.isfinite(grad).all()


@pytest.mark.parametrize("output", ["magnitude", "log_energy"])
def test_transformer_gives_a_constant_signal_an_all_zero_image(output):
    Xt = CWTTransformer(output=output).fit_transform(np.ones((1, 256)))
    np.testing.assert_array_equal(Xt, 0.0)


def test_scalogram_does_not_depend_on_a_dc_offset(rng):
    x = rng.standard_normal((2, 128))
    np.testing.assert_allclose(scalogram(x + 50.0), scalogram(x), atol=1e-9)


@pytest.mark.parametrize("output", ["magnitude", "log_energy"])
@pytest.mark.parametrize("factor", [1e200, 1e-300, 1e300])
def test_huge_or_tiny_finite_signals_give_the_finite_images_of_unit_scale(
    output, factor, rng
):
    X = rng.standard_normal((3, 256))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        scaled = CWTTransformer(output=output).fit_transform(X * factor)
    np.testing.assert_allclose(scaled, CWTTransformer(output=output).fit_transform(X), atol=1e-9)


@pytest.mark.parametrize("output", ["magnitude", "log_energy"])
def test_scalogram_passes_gradcheck(output):
    x = torch.randn(2, 32, dtype=torch.float64, requires_grad=True)

    def images(signal):
        return scalogram(signal, n_scales=6, image_size=(3, 8), output=output)

    assert torch.autograd.gradcheck(images, (x,))


def test_scalogram_keeps_tensor_dtype_and_graph():
    x = torch.randn(3, 256, requires_grad=True)
    images = scalogram(x, chunk_size=2)
    assert isinstance(images, torch.Tensor) and images.dtype == torch.float32
    images.square().sum().backward()
    assert x.grad.abs().sum() > 0


def test_scalogram_chunks_give_identical_images(rng):
    x = rng.standard_normal((5, 100)).astype(np.float32)
    whole = scalogram(x, output="log_energy")
    assert whole.dtype == np.float32
    np.testing.assert_array_equal(
        scalogram(x, output="log_energy", chunk_size=2), whole
    )


def test_scalogram_image_size_options(rng):
    x = rng.standard_normal((2, 100))
    assert scalogram(x, image_size=None, n_scales=10).shape == (2, 10, 100)
    assert scalogram(x, image_size=16).shape == (2, 16, 16)
    assert scalogram(x[0], image_size=(8, 4)).shape == (8, 4)
    # Enlarging repeats values, so the image keeps its [0, 1] range.
    big = scalogram(x, image_size=(64, 256), n_scales=8)
    assert big.shape == (2, 64, 256) and big.min() == 0.0 and big.max() == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"output": "power"}, "output must be one of"),
        ({"image_size": (0, 32)}, "image_size"),
        ({"image_size": (32, 32, 3)}, "image_size"),
        ({"image_size": 2.5}, "image_size"),
        ({"scales": [1, 200]}, "at least .* samples are needed"),
    ],
)
def test_scalogram_bad_arguments_raise_clear_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        scalogram(np.ones((2, 64)), **kwargs)


def test_scalogram_shows_a_tone_in_the_right_row(rng):
    # Row 0 is the highest frequency: a fast tone lights up the top rows.
    X, y = tones([0.3, 0.03], 4, 256, rng)
    rows = scalogram(X).mean(axis=2).argmax(axis=1)  # brightest row per image
    assert (rows[y == 0] < rows[y == 1]).all()


# default scales --------------------------------------------------------------


@pytest.mark.parametrize(
    "wavelet", ["cmor1.5-1.0", "morl", "mexh", "gaus4", "shan1.5-1.0"]
)
@pytest.mark.parametrize("length", [1, 3, 20, 256, 2048])
def test_default_scales_fit_the_signal_and_work_with_cwt(wavelet, length):
    scales = default_scales(length, wavelet, n_scales=12)
    assert np.all(np.diff(scales) > 0)
    assert effective_support(wavelet, scales[-1]) <= length
    coefs, _ = cwt(np.ones((1, length)), scales, wavelet)
    assert coefs.shape == (1, 12, length)


def test_default_scales_start_at_nyquist_for_long_signals():
    scales = default_scales(1024, "cmor1.5-1.0", n_scales=8)
    freqs = pywt.scale2frequency("cmor1.5-1.0", scales)
    assert freqs[0] == pytest.approx(0.5)
    assert effective_support("cmor1.5-1.0", scales[-1]) == 1024


# CWTTransformer ---------------------------------------------------------------


@parametrize_with_checks(
    [
        CWTTransformer(),
        CWTTransformer(
            wavelet="morl", output="log_energy", image_size=(4, 6), n_scales=5
        ),
    ]
)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


def test_transform_returns_the_flattened_scalogram_of_each_signal(rng):
    X = rng.standard_normal((4, 256))
    Xt = CWTTransformer().fit_transform(X)
    assert Xt.shape == (4, 32 * 32) and Xt.dtype == np.float64
    expected = scalogram(X, default_scales(256, "cmor1.5-1.0", 32))
    np.testing.assert_array_equal(Xt, expected.reshape(4, -1))


def test_fitted_attributes_describe_scales_frequencies_and_image(rng):
    X = rng.standard_normal((3, 512))
    fs = 12000.0
    tr = CWTTransformer(
        frequencies=(100, 3000), n_scales=16, sampling_period=1 / fs, image_size=None
    ).fit(X)
    np.testing.assert_allclose(tr.frequencies_, np.geomspace(3000, 100, 16))
    np.testing.assert_allclose(
        tr.scales_, pywt.frequency2scale("cmor1.5-1.0", tr.frequencies_ / fs)
    )
    assert tr.image_shape_ == (16, 512) and tr.n_features_in_ == 512
    assert tr.transform(X).shape == (3, 16 * 512)


def test_default_scales_follow_the_signal_length_seen_in_fit(rng):
    short = CWTTransformer().fit(rng.standard_normal((2, 64)))
    long = CWTTransformer().fit(rng.standard_normal((2, 1024)))
    assert long.scales_.max() > short.scales_.max()
    np.testing.assert_allclose(short.scales_, default_scales(64, "cmor1.5-1.0", 32))


def test_float32_signals_give_float32_images(rng):
    X = rng.standard_normal((3, 128)).astype(np.float32)
    assert CWTTransformer().fit_transform(X).dtype == np.float32


def test_feature_names_are_pixel_positions_row_by_row(rng):
    tr = CWTTransformer(image_size=(2, 3)).fit(rng.standard_normal((2, 64)))
    assert tr.get_feature_names_out().tolist() == [
        "scalogram_r0_c0",
        "scalogram_r0_c1",
        "scalogram_r0_c2",
        "scalogram_r1_c0",
        "scalogram_r1_c1",
        "scalogram_r1_c2",
    ]


def test_pandas_output_has_pixel_columns_and_keeps_the_index(rng):
    X = pd.DataFrame(rng.standard_normal((3, 64)), index=["a", "b", "c"])
    tr = CWTTransformer(image_size=(4, 4)).set_output(transform="pandas")
    Xt = tr.fit_transform(X)
    assert isinstance(Xt, pd.DataFrame)
    assert list(Xt.index) == ["a", "b", "c"]
    assert list(Xt.columns) == list(tr.get_feature_names_out())
    np.testing.assert_array_equal(
        Xt.to_numpy(), CWTTransformer(image_size=4).fit_transform(X)
    )


def test_transform_rejects_signals_of_another_length(rng):
    tr = CWTTransformer().fit(rng.standard_normal((2, 128)))
    with pytest.raises(
        ValueError, match="X has 100 features, but CWTTransformer is expecting 128"
    ):
        tr.transform(rng.standard_normal((2, 100)))


@pytest.mark.parametrize(
    "X, match",
    [
        (np.ones(64), "Expected 2D array, got 1D array"),
        (np.ones((2, 3, 64)), "Found array with dim 3"),
        (np.array([[1.0, np.nan] * 32]), "NaN"),
        (np.array([[1.0, np.inf] * 32]), "infinity"),
        (np.array([["a"] * 64]), "could not convert|numeric"),
    ],
)
def test_bad_signals_raise_clear_value_error(X, match):
    with pytest.raises(ValueError, match=match):
        CWTTransformer().fit(X)


def test_scales_too_large_for_the_signals_raise_with_the_needed_length(rng):
    needed = effective_support("morl", 50)
    with pytest.raises(ValueError, match=rf"length 64.*at least {needed} samples"):
        CWTTransformer(scales=[1, 50], wavelet="morl").fit(rng.standard_normal((2, 64)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"wavelet": "morlet"}, "Unknown continuous wavelet"),
        ({"scales": [0, 1]}, "positive"),
        ({"scales": [-1.0, 2.0]}, "positive"),
        ({"image_size": (0, 4)}, "image_size"),
        ({"frequencies": (0.6, 0.9)}, r"Nyquist frequency .* = 0.5; got 0.9"),
        (
            {"frequencies": (3000, 7000), "sampling_period": 1e-4},
            r"Nyquist frequency .* = 5000; got 7000",
        ),
    ],
)
def test_bad_parameters_raise_clear_value_error(params, match, rng):
    with pytest.raises(ValueError, match=match):
        CWTTransformer(**params).fit(rng.standard_normal((2, 64)))


def test_scalograms_separate_tones_in_a_pipeline(rng):
    X, y = tones([0.05, 0.12, 0.3], 20, 128, rng)
    X_test, y_test = tones([0.05, 0.12, 0.3], 10, 128, rng)
    model = make_pipeline(
        CWTTransformer(image_size=(16, 8)), LogisticRegression(max_iter=500)
    )
    assert model.fit(X, y).score(X_test, y_test) == 1.0


@pytest.mark.slow
def test_torch_cwt_matches_pywt_on_real_cwru_windows(cwru_path):
    data = np.load(cwru_path)
    windows = [
        data[str(name)][: 256 * 20].reshape(20, 256) for name in data["class_names"]
    ]
    X = np.vstack(windows).astype(np.float64)  # (200, 256)
    scales = np.geomspace(1, 64, 64)
    ours, _ = cwt(X, scales, "cmor1.5-1.0")
    ref, _ = pywt.cwt(X, scales, "cmor1.5-1.0", axis=-1)
    ref = np.moveaxis(ref, 0, 1)
    assert np.abs(ours - ref).max() <= 1e-10 * np.abs(ref).max()
    images = CWTTransformer().fit_transform(X)
    assert np.isfinite(images).all() and images.shape == (X.shape[0], 1024)

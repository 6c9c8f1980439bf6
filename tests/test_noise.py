"""Noise at a target SNR per window, and the NoiseInjector transformer."""

import numpy as np
import pytest
from scipy.stats import kurtosis
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsmote_sk import NoiseInjector
from deepsmote_sk.noise import add_noise

KINDS = ["gaussian", "laplace", "pink"]


def _windows(n=64, length=256, seed=0):
    """Windows of very different powers, with DC offsets (like raw CWRU windows)."""
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    amplitude = 10.0 ** rng.uniform(-2, 2, size=(n, 1))
    return amplitude * (np.sin(2 * np.pi * rng.uniform(0.01, 0.2, (n, 1)) * t)
                        + 0.3 * rng.randn(n, length) + 0.2)


def _realised_snr(X, noisy):
    return 10 * np.log10(np.mean(X**2, axis=1) / np.mean((noisy - X) ** 2, axis=1))


@pytest.mark.parametrize("kind, length",
                         [("gaussian", 256), ("laplace", 256), ("pink", 1024)])
@pytest.mark.parametrize("snr_db", [-10.0, -4.0, 0.0, 6.5])
def test_realised_snr_matches_the_target_on_average(kind, length, snr_db):
    """Pink noise is checked on the noise protocol's 1024-sample windows: its power
    sits in a few low-frequency bins, so its per-window dB scatter (and the Jensen
    bias of averaging in dB, ~0.1 dB at 256 samples) shrinks only slowly with length."""
    X = _windows(n=600, length=length)
    snr = _realised_snr(X, add_noise(X, snr_db, kind, random_state=0))
    assert abs(snr.mean() - snr_db) < 0.1


@pytest.mark.parametrize("kind", KINDS)
def test_noise_has_the_target_power_in_expectation(kind):
    X = _windows(n=600)
    noise = add_noise(X, -3.0, kind, random_state=1) - X
    ratio = np.mean(noise**2, axis=1) / (np.mean(X**2, axis=1) * 10 ** 0.3)
    assert ratio.mean() == pytest.approx(1.0, abs=0.03)


def test_white_noise_power_scatters_like_a_random_draw_not_a_fixed_rescale():
    X = _windows(n=600)
    snr = _realised_snr(X, add_noise(X, 0.0, random_state=0))
    # chi-square with 256 degrees of freedom: sd of 10 log10(P) = 4.34 sqrt(2 / 256)
    assert snr.std() == pytest.approx(10 / np.log(10) * np.sqrt(2 / 256), rel=0.15)


def test_noise_power_follows_each_windows_own_power_not_the_batch():
    """ClassBD's code divides by the number of windows; here each window counts."""
    X = _windows(n=2, length=8192)
    X[1] *= 1000.0
    noise = add_noise(X, 0.0, random_state=0) - X
    np.testing.assert_allclose(np.mean(noise**2, axis=1), np.mean(X**2, axis=1),
                               rtol=0.1)


def _distinct_ones(n, length):
    """Rows of (almost) ones; distinct, since identical windows get identical noise."""
    return np.ones((n, length)) + 1e-12 * np.arange(n)[:, None]


def test_noise_kinds_have_their_distribution():
    X = _distinct_ones(200, 512)
    excess = {kind: kurtosis((add_noise(X, 0.0, kind, random_state=1) - X).ravel())
              for kind in ("gaussian", "laplace")}
    assert abs(excess["gaussian"]) < 0.1
    assert abs(excess["laplace"] - 3.0) < 0.3  # Laplace excess kurtosis is 3


def test_pink_noise_power_spectrum_falls_as_one_over_f():
    X = _distinct_ones(200, 1024)
    noise = add_noise(X, 0.0, "pink", random_state=0) - X
    power = np.mean(np.abs(np.fft.rfft(noise, axis=1)) ** 2, axis=0)
    f = np.arange(power.size)
    band = (f >= 4) & (f <= 400)
    slope = np.polyfit(np.log(f[band]), np.log(power[band]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)
    white = add_noise(X, 0.0, "gaussian", random_state=0) - X
    white_power = np.mean(np.abs(np.fft.rfft(white, axis=1)) ** 2, axis=0)
    assert abs(np.polyfit(np.log(f[band]), np.log(white_power[band]), 1)[0]) < 0.1


def test_same_seed_same_noise_other_seed_or_none_differs():
    X = _windows(n=8)
    a = add_noise(X, 0.0, random_state=3)
    np.testing.assert_array_equal(a, add_noise(X, 0.0, random_state=3))
    assert not np.allclose(a, add_noise(X, 0.0, random_state=4))
    assert not np.allclose(add_noise(X, 0.0), add_noise(X, 0.0))


def test_window_noise_does_not_depend_on_the_rest_of_the_batch():
    X = _windows(n=10)
    whole = add_noise(X, 3.0, "pink", random_state=0)
    order = np.random.RandomState(0).permutation(10)
    np.testing.assert_array_equal(add_noise(X[order], 3.0, "pink", random_state=0),
                                  whole[order])
    single = add_noise(X[4], 3.0, "pink", random_state=0)
    np.testing.assert_array_equal(single, whole[4])


def test_different_windows_get_independent_noise_and_identical_ones_the_same():
    X = np.vstack([np.ones(256), np.ones(256) + 1e-9, np.ones(256)])
    noise = add_noise(X, 0.0, random_state=0) - X
    assert abs(np.corrcoef(noise)[0, 1]) < 0.3
    np.testing.assert_array_equal(noise[0], noise[2])


def test_dtype_and_shape_are_kept():
    X = _windows(n=3).astype(np.float32)
    out = add_noise(X, 0.0, random_state=0)
    assert out.dtype == np.float32 and out.shape == X.shape
    assert add_noise(X[0], 0.0, random_state=0).shape == (256,)


def test_zero_window_stays_zero():
    X = np.vstack([np.zeros(64), np.ones(64)])
    out = add_noise(X, 0.0, random_state=0)
    np.testing.assert_array_equal(out[0], 0.0)
    assert not np.allclose(out[1], 1.0)


def test_seeded_noise_leaves_global_numpy_state_untouched():
    state = np.random.get_state()[1].copy()
    add_noise(_windows(n=4), 0.0, "pink", random_state=0)
    NoiseInjector(random_state=0).fit_transform(_windows(n=4))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("snr_db",
                         [float("nan"), float("inf"), -float("inf"), "high", None])
def test_invalid_snr_raises(snr_db):
    with pytest.raises(ValueError, match="snr_db"):
        add_noise(_windows(n=2), snr_db)
    with pytest.raises(ValueError, match="snr_db"):
        NoiseInjector(snr_db=snr_db).fit(_windows(n=2))


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan, 1.0]]), "NaN or infinity"),
        (np.array([[0.0, np.inf, 1.0]]), "NaN or infinity"),
        (np.zeros((2, 3, 4)), "1-D or 2-D"),
        (np.array([["a", "b"]]), "numeric"),
    ],
)
def test_bad_windows_raise(X, match):
    with pytest.raises(ValueError, match=match):
        add_noise(X, 0.0)


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="kind"):
        add_noise(_windows(n=2), 0.0, kind="brown")


# ----------------------------------------------------------------- NoiseInjector


@parametrize_with_checks(
    [NoiseInjector(), NoiseInjector(kind="pink", standardize=True)]
)
def test_noise_injector_passes_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", KINDS)
def test_noise_injector_adds_the_same_noise_as_add_noise(kind):
    X = _windows(n=5)
    out = NoiseInjector(snr_db=-2.0, kind=kind, random_state=7).fit_transform(X)
    np.testing.assert_array_equal(out, add_noise(X, -2.0, kind, random_state=7))


def test_noise_injector_standardize_gives_zero_mean_unit_variance_windows():
    X = _windows(n=5)
    out = NoiseInjector(snr_db=0.0, standardize=True, random_state=0).fit_transform(X)
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=1), 1, atol=1e-9)


def test_noise_injector_is_stateless_and_gives_pandas_output():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(_windows(n=4, length=8), columns=[f"t{i}" for i in range(8)])
    injector = NoiseInjector(random_state=0).set_output(transform="pandas")
    out = injector.fit_transform(X)
    assert list(out.columns) == list(X.columns)
    assert list(injector.get_feature_names_out()) == list(X.columns)
    # stateless: transform without fit works and matches
    unfitted = NoiseInjector(random_state=0).transform(X.to_numpy())
    np.testing.assert_array_equal(out.to_numpy(), unfitted)


def test_noise_injector_works_in_a_pipeline_and_checks_width():
    X = _windows(n=6, length=32)
    pipe = make_pipeline(NoiseInjector(snr_db=20.0, random_state=0)).fit(X)
    assert pipe.transform(X).shape == X.shape
    with pytest.raises(ValueError, match="features"):
        pipe.transform(X[:, :16])


def test_noise_injector_standardize_leaves_all_zero_windows_at_zero():
    X = np.vstack([np.zeros(16), np.arange(16.0)])
    out = NoiseInjector(standardize=True, random_state=0).fit_transform(X)
    np.testing.assert_array_equal(out[0], 0.0)
    assert out[1].std() == pytest.approx(1.0)


def test_noise_injector_is_public_from_the_package_root():
    import deepsmote_sk

    assert deepsmote_sk.NoiseInjector is NoiseInjector


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_huge_and_tiny_finite_windows_get_noise_at_the_target_snr(factor):
    # The window power was a mean of squares, inf for 1e200 and 0 for 1e-200.
    X = _windows(n=200)
    with np.errstate(all="raise"):
        noisy = add_noise(X * factor, 0.0, random_state=0)
    assert np.isfinite(noisy).all()
    assert abs(_realised_snr(X, noisy / factor).mean()) < 0.1


def test_noise_beyond_the_range_of_the_dtype_raises_a_clear_error():
    X = _windows(n=4)
    with pytest.raises(ValueError, match="beyond the float64 range.*higher snr_db"):
        add_noise(X * 1e306, -40.0, random_state=0)
    with pytest.raises(ValueError, match="beyond the float32 range"):
        add_noise((X * 1e36).astype(np.float32), -40.0, random_state=0)
    with pytest.raises(ValueError, match="snr_db=-10000"):
        add_noise(X, -1e4, random_state=0)
    np.testing.assert_array_equal(add_noise(np.zeros((2, 8)), -1e4), 0.0)


def test_noise_injector_standardizes_huge_windows_without_overflow():
    X = _windows(n=8) * 1e200
    with np.errstate(all="raise"):
        out = NoiseInjector(snr_db=0.0, standardize=True, random_state=0).fit_transform(X)
    np.testing.assert_allclose(out.std(axis=1), 1.0)

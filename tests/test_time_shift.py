"""TimeShiftOverSampler: circular time shifts of real minority windows."""

from collections import Counter

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from scipy import sparse
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_param_validation
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

import deepsmote_sk
from deepsmote_sk.over_sampling import TimeShiftOverSampler

from _dseasmote_helpers import signals


def sampler(**params):
    return TimeShiftOverSampler(**{"random_state": 0, **params})


def shifts_matching(row, source, axis=-1):
    """Nonzero shifts ``s`` with ``np.roll(source, s, axis) == row`` exactly."""
    length = source.shape[axis]
    return [
        s for s in range(1, length) if np.array_equal(np.roll(source, s, axis), row)
    ]


# -------------------------------------------------------- estimator checks
@imblearn_checks([sampler()])
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)


@sklearn_checks([sampler()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_every_parameter_is_validated():
    check_param_validation("TimeShiftOverSampler", sampler())


def test_top_level_name_is_the_subpackage_class():
    assert deepsmote_sk.TimeShiftOverSampler is TimeShiftOverSampler
    assert "TimeShiftOverSampler" in deepsmote_sk.__all__


# ------------------------------------------------------- sampling strategy
@pytest.mark.parametrize(
    "n_per_class, strategy, expected",
    [
        ((30, 10, 6), "auto", {0: 30, 1: 30, 2: 30}),
        ((30, 10, 6), "minority", {0: 30, 1: 10, 2: 30}),
        ((30, 10, 6), "all", {0: 30, 1: 30, 2: 30}),
        ((30, 10, 6), {1: 15, 2: 12}, {0: 30, 1: 15, 2: 12}),
        ((30, 10, 6), lambda y: {2: 20}, {0: 30, 1: 10, 2: 20}),
        ((30, 6), 0.5, {0: 30, 1: 15}),
    ],
    ids=["str-auto", "str-minority", "str-all", "dict", "callable", "float"],
)
def test_originals_first_unchanged_then_exact_counts_class_by_class(
    n_per_class, strategy, expected
):
    X, y = signals(n_per_class, length=16)
    X_res, y_res = sampler(sampling_strategy=strategy).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(X)], y)
    added = [
        label
        for label, total in sorted(expected.items())
        for _ in range(total - n_per_class[label])
    ]
    assert y_res[len(X) :].tolist() == added


def test_nothing_to_generate_returns_the_input():
    X, y = signals((10, 10))
    X_res, y_res = sampler().fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)


# ------------------------------------------------------------ the shifts
def test_each_synthetic_row_is_a_circular_shift_of_its_same_class_source():
    X, y = signals((30, 10, 6), length=48)
    resampler = sampler()
    X_res, y_res = resampler.fit_resample(X, y)
    sources = resampler.source_indices_
    np.testing.assert_array_equal(sources[: len(X)], np.arange(len(X)))
    for row, label, source in zip(X_res[len(X) :], y_res[len(X) :], sources[len(X) :]):
        assert y[source] == label
        assert shifts_matching(row, X[source]) != []


def test_synthetic_rows_are_new_phases_not_copies():
    X, y = signals((30, 6))
    X_res, _ = sampler().fit_resample(X, y)
    new = X_res[len(X) :]
    distance = np.abs(new[:, None, :] - X[None, :, :]).max(axis=2).min(axis=1)
    assert (distance > 1e-6).all()


def test_every_real_row_is_used_equally_give_or_take_one():
    X, y = signals((100, 7))
    resampler = sampler()
    resampler.fit_resample(X, y)
    uses = np.bincount(resampler.source_indices_[len(X) :], minlength=len(X))[100:]
    assert uses.sum() == 93 and uses.max() - uses.min() <= 1


def test_a_class_of_one_row_gets_shifts_of_that_row():
    X, y = signals((20, 1), length=32)
    X_res, y_res = sampler().fit_resample(X, y)
    assert Counter(y_res) == {0: 20, 1: 20}
    for row in X_res[len(X) :]:
        assert shifts_matching(row, X[-1]) != []


@pytest.mark.parametrize("max_shift, largest", [(3, 3), (0.25, 10), (0.01, 1)])
def test_max_shift_bounds_the_shift_in_both_directions(max_shift, largest):
    # An impulse at t = 20 of a 40-sample window: the shift is where it moved.
    X = np.zeros((201, 40))
    X[:, 20] = np.arange(1, 202)
    y = np.array([0] * 200 + [1])
    X_res, _ = sampler(max_shift=max_shift).fit_resample(X, y)
    moved = np.argmax(np.abs(X_res[len(X) :]), axis=1) - 20
    assert set(moved.tolist()) == set(range(-largest, 0)) | set(range(1, largest + 1))


def test_default_shift_reaches_every_phase_but_the_original():
    X = np.zeros((401, 8))
    X[:, 0] = 1.0
    y = np.array([0] * 400 + [1])
    X_res, _ = sampler().fit_resample(X, y)
    assert set(np.argmax(X_res[len(X) :], axis=1).tolist()) == set(range(1, 8))


def test_image_mode_rolls_each_image_along_time_only():
    rng = np.random.RandomState(0)
    images = rng.standard_normal((15, 4, 12))  # (n, scales, time)
    X, y = images.reshape(15, -1), np.array([0] * 12 + [1] * 3)
    resampler = sampler(image_shape=(4, 12))
    X_res, _ = resampler.fit_resample(X, y)
    for row, source in zip(X_res[len(X) :], resampler.source_indices_[len(X) :]):
        image = row.reshape(4, 12)
        assert shifts_matching(image, images[source], axis=1) != []
        # A flat roll of the flattened row would mix scales: not what happened.
        assert shifts_matching(row, X[source]) == []


def test_image_mode_accepts_channels_and_rolls_them_together():
    rng = np.random.RandomState(1)
    images = rng.standard_normal((8, 2, 3, 5))
    X, y = images.reshape(8, -1), np.array([0] * 6 + [1] * 2)
    resampler = sampler(image_shape=[2, 3, 5])
    X_res, _ = resampler.fit_resample(X, y)
    for row, source in zip(X_res[len(X) :], resampler.source_indices_[len(X) :]):
        assert shifts_matching(row.reshape(2, 3, 5), images[source]) != []


# ----------------------------------------------------- optional transforms
def test_scale_range_multiplies_each_shifted_row_by_a_factor_in_range():
    X, y = signals((30, 6))
    resampler = sampler(scale_range=(0.5, 2.0))
    X_res, _ = resampler.fit_resample(X, y)
    plain, _ = sampler().fit_resample(X, y)
    factors = np.linalg.norm(X_res[len(X) :], axis=1) / np.linalg.norm(
        plain[len(X) :], axis=1
    )
    assert ((factors >= 0.5) & (factors <= 2.0)).all() and factors.std() > 0.1
    np.testing.assert_allclose(X_res[len(X) :], plain[len(X) :] * factors[:, None])


def test_flip_sign_inverts_about_half_of_the_rows_and_nothing_else():
    X, y = signals((200, 6))
    X_res, _ = sampler(flip_sign=True).fit_resample(X, y)
    plain, _ = sampler().fit_resample(X, y)
    flipped = np.all(X_res[len(X) :] == -plain[len(X) :], axis=1)
    kept = np.all(X_res[len(X) :] == plain[len(X) :], axis=1)
    assert (flipped ^ kept).all() and 70 < flipped.sum() < 124


def test_noise_snr_adds_noise_at_the_target_snr_to_synthetic_rows_only():
    X, y = signals((400, 6), length=256)
    X_res, _ = sampler(noise_snr=5.0).fit_resample(X, y)
    plain, _ = sampler().fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    clean, noisy = plain[len(X) :], X_res[len(X) :]
    snr = 10 * np.log10(np.mean(clean**2, 1) / np.mean((noisy - clean) ** 2, 1))
    assert abs(snr.mean() - 5.0) < 0.2


# ------------------------------------------------------ types and dtypes
def test_float32_in_float32_out_and_int_becomes_float64():
    X, y = signals((30, 6), dtype=np.float32)
    for params in ({}, {"scale_range": (0.9, 1.1), "flip_sign": True, "noise_snr": 0}):
        X_res, _ = sampler(**params).fit_resample(X, y)
        assert X_res.dtype == np.float32
    X_int = np.round(X * 10).astype(np.int64)
    X_res, _ = sampler().fit_resample(X_int, y)
    assert X_res.dtype == np.float64
    np.testing.assert_array_equal(X_res[: len(X)], X_int)


def test_pandas_list_and_string_labels_round_trip():
    pd = pytest.importorskip("pandas")
    X, y = signals((30, 10, 6), length=16)
    names = np.array(["normal", "IR007", "OR007"])[y]
    expected_X, expected_y = sampler().fit_resample(X, names)
    assert Counter(expected_y.tolist()) == {"normal": 30, "IR007": 30, "OR007": 30}
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(16)])
    X_df, y_s = sampler().fit_resample(frame, pd.Series(names, name="fault"))
    assert list(X_df.columns) == list(frame.columns) and y_s.name == "fault"
    np.testing.assert_array_equal(X_df.to_numpy(), expected_X)
    assert y_s.tolist() == expected_y.tolist()
    X_list, y_list = sampler().fit_resample(X.tolist(), names.tolist())
    assert type(X_list) is list and type(y_list) is list
    np.testing.assert_array_equal(np.asarray(X_list), expected_X)
    assert y_list == expected_y.tolist()


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_gives_the_dense_result_in_the_same_format(fmt):
    X, y = signals((30, 6))
    X_res, _ = sampler().fit_resample(sparse.csr_matrix(X).asformat(fmt), y)
    dense, _ = sampler().fit_resample(X, y)
    assert X_res.format == fmt
    np.testing.assert_array_equal(X_res.toarray(), dense)


def test_works_in_an_imblearn_pipeline():
    X, y = signals((30, 6))
    model = make_pipeline(sampler(), LogisticRegression()).fit(X, y)
    assert model.predict(X).shape == y.shape


# ---------------------------------------------------------- reproducibility
def test_same_random_state_gives_identical_output_and_seeds_differ():
    X, y = signals()
    params = {"scale_range": (0.9, 1.1), "flip_sign": True, "noise_snr": 10.0}
    first, _ = sampler(random_state=3, **params).fit_resample(X, y)
    second, _ = sampler(random_state=3, **params).fit_resample(X, y)
    other, _ = sampler(random_state=4, **params).fit_resample(X, y)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[len(X) :], other[len(X) :])


def test_global_random_state_untouched():
    X, y = signals()
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    sampler(noise_snr=0.0, flip_sign=True, scale_range=(0.9, 1.1)).fit_resample(
        X, y
    )
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_clone_keeps_parameters_unchanged():
    resampler = sampler(image_shape=[4, 8], scale_range=[0.9, 1.1])
    params = clone(resampler).get_params()
    assert params["image_shape"] == [4, 8] and params["scale_range"] == [0.9, 1.1]


# ------------------------------------------------------------------ errors
def test_windows_of_one_sample_cannot_be_shifted():
    X, y = signals((10, 3), length=1)
    with pytest.raises(ValueError, match="at least 2 samples along time"):
        sampler().fit_resample(X, y)
    X, y = signals((10, 3), length=4)
    with pytest.raises(ValueError, match="got 1"):
        sampler(image_shape=(4, 1)).fit_resample(X, y)


@pytest.mark.parametrize(
    "image_shape, message",
    [
        ((4, 4), "holds 16 values but X has 32 features"),
        ((4, 0, 8), "positive ints"),
        ((32,), "positive ints"),
        ((4.0, 8.0), "positive ints"),
    ],
)
def test_image_shape_that_does_not_fit_is_a_clear_error(image_shape, message):
    X, y = signals((10, 3), length=32)
    with pytest.raises(ValueError, match=message):
        sampler(image_shape=image_shape).fit_resample(X, y)


@pytest.mark.parametrize(
    "scale_range", [(1.1, 0.9), (0.0, 1.0), (-1.0, 1.0), (1.0,), (0.9, float("inf"))]
)
def test_invalid_scale_range_is_a_clear_error(scale_range):
    X, y = signals((10, 3))
    with pytest.raises(ValueError, match="scale_range must be .low, high."):
        sampler(scale_range=scale_range).fit_resample(X, y)


@pytest.mark.parametrize(
    "params",
    [{"max_shift": 0}, {"max_shift": 1.5}, {"noise_snr": float("nan")}],
)
def test_out_of_range_parameters_are_rejected(params):
    X, y = signals((10, 3))
    with pytest.raises(ValueError, match="parameter of TimeShiftOverSampler"):
        sampler(**params).fit_resample(X, y)

"""Generation-quality and classification metrics against hand-computed values."""

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from sklearn.exceptions import NotFittedError, UndefinedMetricWarning
from sklearn.neighbors import KNeighborsClassifier

from deepsmote_sk.metrics import (
    g_mean,
    generation_accuracy,
    js_divergence,
    kl_divergence,
    macro_fpr,
    pearson_correlation,
)

# ----------------------------------------------------------------------- PCC


def test_pcc_matches_the_hand_computed_value():
    # x - mean = (-1, 0, 1), y - mean = (-7, -1, 8) / 3: r = 5 / sqrt(2 * 114 / 9)
    assert pearson_correlation([1, 2, 3], [2, 4, 7]) == pytest.approx(15 / np.sqrt(228))


def test_pcc_is_one_for_affine_copies_and_minus_one_for_reversed_sign(rng):
    x = rng.normal(size=(3, 40))
    np.testing.assert_allclose(pearson_correlation(x, 2.5 * x + 7), 1.0)
    np.testing.assert_allclose(pearson_correlation(x, -x), -1.0)


def test_pcc_pairwise_matrix_agrees_with_rowwise_and_numpy(rng):
    X, Y = rng.normal(size=(4, 30)), rng.normal(size=(3, 30))
    M = pearson_correlation(X, Y, pairwise=True)
    assert M.shape == (4, 3)
    np.testing.assert_allclose(M, np.corrcoef(X, Y)[:4, 4:], atol=1e-12)
    np.testing.assert_allclose(pearson_correlation(X[:3], Y), np.diag(M[:3]),
                               atol=1e-12)


def test_pcc_broadcasts_a_single_reference_row():
    out = pearson_correlation([[1, 2, 3], [3, 2, 1], [1, 3, 2]], [1, 2, 3])
    np.testing.assert_allclose(out, [1.0, -1.0, 0.5])


def test_pcc_of_flattened_images_is_the_correlation_of_pixels(rng):
    images = rng.uniform(size=(2, 8, 8))
    flat = images.reshape(2, -1)
    assert pearson_correlation(flat[0], flat[1]) == pytest.approx(
        np.corrcoef(flat[0], flat[1])[0, 1])


def test_pcc_of_a_constant_sample_is_nan_with_a_warning():
    with pytest.warns(RuntimeWarning, match="constant"):
        out = pearson_correlation([[1, 1, 1], [1, 2, 3]], [1, 2, 3])
    assert np.isnan(out[0]) and out[1] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "X, Y, match",
    [
        ([[1, 2, 3]], [[1, 2]], "same number of features"),
        (np.ones((3, 4)), np.ones((2, 4)), "as many rows"),
        ([1, np.nan, 3], [1, 2, 3], "NaN or infinity"),
        (np.ones((2, 2, 2)), np.ones((2, 2, 2)), "1-D or 2-D"),
        (["a", "b"], [1, 2], "numeric"),
    ],
)
def test_pcc_rejects_bad_input(X, Y, match):
    with pytest.raises(ValueError, match=match):
        pearson_correlation(X, Y)


# --------------------------------------------------------------------- G_acc


def test_generation_accuracy_counts_samples_the_reference_assigns_their_target():
    reference = KNeighborsClassifier(n_neighbors=1).fit([[0.0], [10.0]], ["a", "b"])
    # predictions: a, b, a, b -> matches for targets a, b, -, b
    X_syn = [[1.0], [9.0], [2.0], [6.0]]
    assert generation_accuracy(reference, X_syn, ["a", "b", "b", "b"]) == 0.75
    assert generation_accuracy(reference, X_syn, ["b", "a", "b", "a"]) == 0.0


def test_generation_accuracy_needs_a_fitted_reference():
    with pytest.raises(NotFittedError):
        generation_accuracy(KNeighborsClassifier(), [[0.0]], ["a"])


def test_generation_accuracy_rejects_length_mismatch_and_non_classifiers():
    reference = KNeighborsClassifier(n_neighbors=1).fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="2 samples but y_target has 3"):
        generation_accuracy(reference, [[0.0], [1.0]], [0, 1, 1])
    with pytest.raises(ValueError, match="estimator"):
        generation_accuracy(object(), [[0.0]], [0])


# ------------------------------------------------------------- KL and JS


def test_kl_and_js_of_value_histograms_match_hand_values():
    # two bins over [0, 1]: p = (3/4, 1/4), q = (1/4, 3/4)
    real, synthetic = [[0, 0, 0, 1]], [[0, 1, 1, 1]]
    kl = 0.75 * np.log2(3) + 0.25 * np.log2(1 / 3)
    assert kl_divergence(real, synthetic, bins=2) == pytest.approx(kl, rel=1e-6)
    js = 0.75 * np.log2(0.75 / 0.5) + 0.25 * np.log2(0.25 / 0.5)  # both halves equal
    assert js_divergence(real, synthetic, bins=2) == pytest.approx(js, rel=1e-12)
    assert kl_divergence(real, synthetic, bins=2, base=np.e) == pytest.approx(
        kl * np.log(2), rel=1e-6)


def test_kl_and_js_of_mean_power_spectra_match_hand_values():
    # rfft power of (1, 0, -1, 0) is (0, 4, 0); of (1, -1, 1, -1) it is (0, 0, 16)
    real = [[1, 0, -1, 0]]
    synthetic = [[1, 0, -1, 0], [1, -1, 1, -1]]  # mean power (0, 2, 8): q = (0, .2, .8)
    assert kl_divergence(real, synthetic, distribution="spectrum") == pytest.approx(
        np.log2(5), rel=1e-6)
    # m = (p + q) / 2 = (0, .6, .4)
    kl_q_m = 0.2 * np.log2(0.2 / 0.6) + 0.8 * np.log2(0.8 / 0.4)
    js = 0.5 * np.log2(1 / 0.6) + 0.5 * kl_q_m
    assert js_divergence(real, synthetic, distribution="spectrum") == pytest.approx(js)


def test_divergences_vanish_for_identical_sets_and_grow_with_difference(rng):
    real = rng.normal(size=(100, 64))
    near, far = rng.normal(size=(100, 64)), rng.normal(scale=4.0, size=(100, 64))
    for metric in (kl_divergence, js_divergence):
        assert metric(real, real) == 0.0
        assert 0 < metric(real, near) < metric(real, far)


def test_js_is_symmetric_and_bounded_by_one_while_kl_is_not_symmetric():
    a, b = [[0.0, 0.0, 0.0, 1.0]], [[5.0, 5.0, 1.0, 5.0]]
    assert js_divergence(a, b) == pytest.approx(js_divergence(b, a))
    assert js_divergence([[0.0, 0.0]], [[1.0, 1.0]]) == 1.0  # disjoint supports
    p, q = [[0, 0, 0, 1]], [[0, 0, 1, 1]]
    assert kl_divergence(p, q, bins=2) != pytest.approx(kl_divergence(q, p, bins=2))


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_pcc_and_spectrum_divergences_of_huge_or_tiny_values_are_scale_free(factor):
    rng = np.random.RandomState(0)
    X, Y = rng.randn(4, 64), rng.randn(4, 64)
    with np.errstate(all="raise"):
        pcc = pearson_correlation(X * factor, Y * factor, pairwise=True)
        kl = kl_divergence(X * factor, Y * factor, distribution="spectrum")
    np.testing.assert_allclose(pcc, pearson_correlation(X, Y, pairwise=True), atol=1e-12)
    assert kl == pytest.approx(kl_divergence(X, Y, distribution="spectrum"))


def test_pcc_of_a_constant_row_of_any_value_is_nan_with_a_warning():
    with pytest.warns(RuntimeWarning, match="constant sample"):
        assert np.isnan(pearson_correlation(np.full(5, 0.1), np.arange(5.0)))


def test_kl_with_an_empty_synthetic_bin_is_large_but_finite():
    value = kl_divergence([[0.0, 1.0]], [[0.0, 0.0]], bins=2)
    assert np.isfinite(value) and value > 10


@pytest.mark.parametrize("metric", [kl_divergence, js_divergence])
def test_divergences_reject_bad_input(metric):
    with pytest.raises(ValueError, match="NaN or infinity"):
        metric([[0.0, np.inf]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="same length"):
        metric([[0.0, 1.0]], [[0.0, 1.0, 2.0]], distribution="spectrum")
    with pytest.raises(ValueError, match="distribution"):
        metric([[0.0, 1.0]], [[0.0, 1.0]], distribution="wasserstein")
    with pytest.raises(ValueError, match="bins"):
        metric([[0.0, 1.0]], [[0.0, 1.0]], bins=0)
    with pytest.raises(ValueError, match="all samples are zero"):
        metric([[0.0, 0.0]], [[0.0, 1.0]], distribution="spectrum")


# ------------------------------------------------------------ G-mean and FPR


def test_g_mean_is_the_geometric_mean_of_recalls():
    y_true = ["a"] * 4 + ["b"] * 4 + ["c"] * 2
    y_pred = ["a"] * 4 + ["b", "b", "a", "c"] + ["c", "a"]
    # recalls 1, 1/2, 1/2
    assert g_mean(y_true, y_pred) == pytest.approx((1 * 0.5 * 0.5) ** (1 / 3))
    assert g_mean(y_true, y_pred) == pytest.approx(geometric_mean_score(y_true, y_pred))


def test_g_mean_is_zero_when_a_class_is_never_recognised():
    assert g_mean([0, 0, 1, 1], [0, 0, 0, 0]) == 0.0


def test_macro_fpr_matches_the_hand_computed_value():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    # one-vs-rest FP / (FP + TN): class 0: 1/4, class 1: 1/4, class 2: 0/4
    assert macro_fpr(y_true, y_pred) == pytest.approx((0.25 + 0.25 + 0.0) / 3)


def test_macro_fpr_is_zero_for_perfect_and_one_for_always_wrong_binary():
    assert macro_fpr(["x", "y", "y"], ["x", "y", "y"]) == 0.0
    assert macro_fpr([0, 1], [1, 0]) == 1.0


def test_macro_fpr_averages_over_the_given_labels():
    y_true, y_pred = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    assert macro_fpr(y_true, y_pred, labels=[0, 1]) == pytest.approx(0.25)


def test_macro_fpr_warns_for_a_class_without_negatives():
    with pytest.warns(UndefinedMetricWarning, match="no negative samples"):
        assert macro_fpr([1, 1], [1, 0], labels=[0, 1]) == pytest.approx(0.5 / 2)

"""ClassBD: the blind-deconvolution modules, the joint loss and the classifier."""

import math
import pickle

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsmote_sk import ClassBDClassifier
from deepsmote_sk.classifiers._blind_deconvolution import (
    FrequencyDomainFilter,
    QuadraticConv1d,
    TimeDomainFilter,
    UncertaintyWeightedLoss,
    analytic_signal,
    envelope_sparsity_loss,
    envelope_spectrum,
    kurtosis_loss,
)
from deepsmote_sk.classifiers._resnet1d import ResNet1D
from deepsmote_sk.classifiers._wdcnn import WDCNN

#: Small enough for the estimator checks to run in well under a minute on
#: one thread, large enough (lr, epochs) to pass their accuracy threshold on
#: two-feature blobs.
TINY = dict(
    width=0.25, max_epochs=10, batch_size=32, lr=3e-3, device="cpu", random_state=0
)


def fast(**params):
    """A ClassBD small enough for a unit test."""
    defaults = dict(
        width=0.25,
        filter_channels=4,
        filter_kernel_size=7,
        max_epochs=3,
        batch_size=16,
        device="cpu",
        random_state=0,
    )
    return ClassBDClassifier(**{**defaults, **params})


def impulse_trains(n_per_class=20, length=64, periods=(8, 13), noise=0.5, seed=0):
    """Signals with fault-like impulse trains of a class-specific period."""
    rng = np.random.RandomState(seed)
    X, y = [], []
    for label, period in enumerate(periods):
        for _ in range(n_per_class):
            signal = noise * rng.randn(length)
            signal[rng.randint(period) :: period] += 3.0
            X.append(signal)
            y.append(label)
    return np.asarray(X), np.asarray(y)


# ------------------------------------------------------- quadratic convolution
@pytest.mark.parametrize("length", [1, 2, 30, 101])
def test_quadratic_conv_computes_fan_neuron_eq8(length):
    torch.manual_seed(0)
    layer = QuadraticConv1d(2, 3, 5).double()
    with torch.no_grad():
        for param in layer.parameters():
            param.normal_()
    x = torch.randn(4, 2, length, dtype=torch.float64)

    def conv(inputs, weight, bias):
        return F.conv1d(inputs, weight, bias, padding=2)

    expected = conv(x, layer.w1, layer.b1) * conv(x, layer.w2, layer.b2) + conv(
        x * x, layer.w3, layer.b3
    )
    torch.testing.assert_close(layer(x), expected)


def test_relinear_init_starts_quadratic_conv_as_its_linear_term():
    torch.manual_seed(0)
    layer = QuadraticConv1d(16, 8, 31)
    assert torch.all(layer.w2 == 0) and torch.all(layer.b2 == 1)
    assert torch.all(layer.w3 == 0) and torch.all(layer.b3 == 0)
    fan_in = 16 * 31
    expected_std = math.sqrt(1 / (32 * fan_in))
    assert layer.w1.std().item() == pytest.approx(expected_std, rel=0.1)
    assert layer.b1.abs().max().item() <= math.sqrt(1 / fan_in)
    x = torch.randn(2, 16, 50)
    linear = F.conv1d(x, layer.w1, layer.b1, padding=15)
    torch.testing.assert_close(layer(x), linear, atol=1e-5, rtol=1e-4)


def test_quadratic_conv_rejects_even_kernels():
    with pytest.raises(ValueError, match="odd"):
        QuadraticConv1d(1, 1, 4)


def test_time_filter_keeps_length_and_calibrates_to_unit_rms():
    torch.manual_seed(0)
    time_filter = TimeDomainFilter(n_channels=16, kernel_size=31)
    x = torch.randn(32, 200)
    assert time_filter(x).shape == x.shape
    assert (
        time_filter(x).square().mean().sqrt() < 0.5
    )  # Eq. (9)'s scale shrinks the signal
    time_filter.calibrate(x)
    assert time_filter(x).square().mean().sqrt().item() == pytest.approx(1.0, rel=1e-4)


# ------------------------------------------------------ frequency-domain filter
def test_frequency_filter_starts_as_identity():
    x = torch.randn(3, 101)
    torch.testing.assert_close(FrequencyDomainFilter(101)(x), x, atol=1e-5, rtol=1e-5)


def test_frequency_filter_is_a_linear_layer_on_the_spectrum_eq19():
    torch.manual_seed(0)
    layer = FrequencyDomainFilter(64)
    with torch.no_grad():
        layer.weight.normal_()
        layer.bias.normal_()
    x = torch.randn(2, 64, dtype=torch.float64)
    weight, bias = (
        layer.weight.detach().double().numpy(),
        layer.bias.detach().double().numpy(),
    )
    spectrum = np.fft.rfft(x.numpy(), axis=-1)
    filtered = spectrum @ weight.T + (bias[0] + 1j * bias[1])
    expected = np.fft.irfft(filtered, n=64, axis=-1)
    np.testing.assert_allclose(layer.double()(x).detach().numpy(), expected, atol=1e-10)


# ------------------------------------------------------------ envelope spectrum
@pytest.mark.parametrize("n", [1, 2, 127, 128])
def test_analytic_signal_matches_scipy_hilbert(n):
    x = torch.randn(3, n, dtype=torch.float64)
    np.testing.assert_allclose(
        analytic_signal(x).numpy(), scipy.signal.hilbert(x.numpy()), atol=1e-12
    )


def test_envelope_spectrum_peaks_at_the_modulation_frequency_without_dc():
    t = torch.arange(2048, dtype=torch.float64) / 2048
    carrier = torch.cos(2 * math.pi * 300 * t)
    signal = (1 + 0.8 * torch.cos(2 * math.pi * 12 * t)) * carrier
    spectrum = envelope_spectrum(signal[None])[0]
    assert spectrum.shape == (1025,)
    assert int(spectrum.argmax()) == 12
    assert spectrum[0].item() == pytest.approx(0.0, abs=1e-9)


# ------------------------------------------------------------------ objectives
def test_kurtosis_loss_is_bounded_scale_free_and_lower_for_impulses():
    generator = torch.Generator().manual_seed(0)
    noise = torch.randn(4, 4096, generator=generator, dtype=torch.float64)
    impulses = torch.zeros(1, 4096, dtype=torch.float64)
    impulses[0, ::256] = 1.0
    noise_loss = kurtosis_loss(noise)
    assert torch.allclose(
        noise_loss, torch.full((4,), 1 / 3, dtype=torch.float64), atol=0.02
    )
    assert kurtosis_loss(impulses).item() == pytest.approx(
        16 / 4096
    )  # 1/N * number of impulses
    torch.testing.assert_close(kurtosis_loss(1e3 * noise), noise_loss)
    one_spike = torch.zeros(1, 4096, dtype=torch.float64)
    one_spike[0, 7] = 2.0
    assert kurtosis_loss(one_spike).item() == pytest.approx(
        1 / 4096
    )  # the lower bound 1/N
    constant = torch.ones(1, 4096, dtype=torch.float64)
    assert kurtosis_loss(constant).item() == pytest.approx(1.0)  # the upper bound
    assert kurtosis_loss(torch.zeros(1, 10)).item() == 0.0


def test_envelope_sparsity_loss_is_the_scaled_l2_l4_ratio_eq25():
    spectrum = torch.rand(5, 300, dtype=torch.float64)
    eq25 = (spectrum**2).sum(-1) / (spectrum**4).sum(-1).sqrt()
    torch.testing.assert_close(envelope_sparsity_loss(spectrum), eq25 / math.sqrt(300))
    single_line = torch.zeros(1, 300, dtype=torch.float64)
    single_line[0, 40] = 5.0
    assert envelope_sparsity_loss(single_line).item() == pytest.approx(
        1 / math.sqrt(300)
    )
    flat = torch.ones(1, 300, dtype=torch.float64)
    assert envelope_sparsity_loss(flat).item() == pytest.approx(1.0)


# --------------------------------------------------------- uncertainty weights
def test_uncertainty_weighted_loss_follows_eq31():
    weighting = UncertaintyWeightedLoss(3)
    losses = [torch.tensor(2.0), torch.tensor(0.3), torch.tensor(0.7)]
    variances = weighting.variances
    assert torch.allclose(variances, torch.full((3,), math.exp(-0.5)))
    expected = sum(
        loss / var + torch.log(var.sqrt()) for loss, var in zip(losses, variances)
    )
    torch.testing.assert_close(weighting(*losses), expected)
    with pytest.raises(ValueError, match="expected 3 losses"):
        weighting(*losses[:2])
    with pytest.raises(ValueError, match="min_variance"):
        UncertaintyWeightedLoss(3, min_variance=1.0)


def test_joint_loss_is_bounded_below_even_when_every_task_loss_vanishes():
    weighting = UncertaintyWeightedLoss(3)
    optimizer = torch.optim.Adam(weighting.parameters(), lr=0.5)
    zero = torch.tensor(0.0)
    values = []
    for _ in range(200):
        optimizer.zero_grad()
        total = weighting(zero, zero, zero)
        total.backward()
        optimizer.step()
        values.append(total.item())
    assert min(values) >= weighting.lower_bound - 1e-6
    assert values[-1] == pytest.approx(weighting.lower_bound, abs=0.05)
    assert weighting.lower_bound == pytest.approx(1.5 * math.log(0.01))


# -------------------------------------------------- physics losses in the graph
def _module_and_batch(seed=0):
    estimator = fast()
    X, y = impulse_trains(n_per_class=8)
    torch.manual_seed(seed)
    module = estimator._build_module(X.shape[1], 2)
    return (
        estimator,
        module,
        torch.as_tensor(X, dtype=torch.float32),
        torch.as_tensor(y),
    )


def test_physics_losses_back_propagate_into_the_filters():
    estimator, module, X, y = _module_and_batch()
    module.time_filter.calibrate(X)
    losses = estimator._loss(module, module(X), X, y, None)
    time_weights = module.time_filter.expand.w1
    frequency_weights = module.frequency_filter.weight
    weights = [time_weights, frequency_weights]
    grad_t = torch.autograd.grad(
        losses["kurtosis"], weights, allow_unused=True, retain_graph=True
    )
    grad_f = torch.autograd.grad(losses["envelope"], weights)
    # The kurtosis objective reads the time filter's output: it trains that filter only.
    assert grad_t[0].abs().sum() > 0 and grad_t[1] is None
    # The envelope objective reads the frequency filter's output: it reaches both.
    assert grad_f[0].abs().sum() > 0 and grad_f[1].abs().sum() > 0


def test_filters_train_differently_with_and_without_the_physics_losses():
    estimator, module, X, y = _module_and_batch()
    module.time_filter.calibrate(X)
    initial = {k: v.clone() for k, v in module.state_dict().items()}

    def one_step(joint):
        module.load_state_dict(initial)
        optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
        losses = estimator._loss(module, module(X), X, y, None)
        loss = losses["loss"] if joint else F.cross_entropy(module(X)["logits"], y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {k: v.clone() for k, v in module.state_dict().items()}

    joint, cross_entropy_only = one_step(True), one_step(False)
    for name in ("time_filter.expand.w1", "frequency_filter.weight"):
        assert not torch.allclose(joint[name], cross_entropy_only[name])
        assert not torch.equal(joint[name], initial[name])


def test_uncertainty_weights_are_parameters_learned_during_fit():
    X, y = impulse_trains()
    clf = fast(max_epochs=5, lr=1e-2).fit(X, y)
    names = [name for name, _ in clf.module_.named_parameters()]
    assert "loss_weighting.raw_variance" in names
    assert clf.loss_variances_.shape == (3,)
    assert not np.allclose(clf.loss_variances_, math.exp(-0.5), atol=1e-3)
    assert set(clf.history_[0]) >= {"loss", "cross_entropy", "kurtosis", "envelope"}
    assert min(clf.loss_curve_) >= clf.module_.loss_weighting.lower_bound


def test_quadratic_terms_get_the_lower_learning_rate():
    estimator, module, _, _ = _module_and_batch()
    estimator.set_params(lr=0.01, quadratic_lr_ratio=0.05)
    groups = estimator._param_groups(module)
    ids = [id(p) for group in groups for p in group["params"]]
    assert sorted(ids) == sorted(
        id(p) for p in module.parameters()
    )  # each parameter once
    by_param = {id(p): group for group in groups for p in group["params"]}
    quadratic = module.time_filter.quadratic_parameters()
    assert len(quadratic) == 8  # W2, b2, W3, b3 of both layers
    assert all(by_param[id(p)]["lr"] == pytest.approx(0.0005) for p in quadratic)
    assert by_param[id(module.time_filter.expand.w1)]["lr"] == 0.01
    assert by_param[id(module.loss_weighting.raw_variance)]["weight_decay"] == 0.0


# ------------------------------------------------------------------ estimator
@pytest.mark.parametrize(
    "backbone, module_type", [("wdcnn", WDCNN), ("resnet", ResNet1D)]
)
def test_backbones_learn_impulse_trains(backbone, module_type):
    X, y = impulse_trains(n_per_class=24)
    clf = fast(backbone=backbone, max_epochs=15, lr=1e-2).fit(X, y)
    assert isinstance(clf.module_.backbone, module_type)
    assert clf.score(X, y) >= 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (48, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_transform_returns_the_denoised_signals_for_classical_classifiers():
    X, y = impulse_trains()
    clf = fast().fit(X, y)
    denoised = clf.transform(X)
    assert denoised.shape == X.shape and denoised.dtype == np.float64
    assert clf.transform(X.astype(np.float32)).dtype == np.float32
    # The filters read the signals standardised by the fitted input scale.
    X_std = (X - clf.input_mean_) / clf.input_scale_
    with torch.no_grad():
        expected = clf.module_.denoise(torch.as_tensor(X_std, dtype=torch.float32))
    expected = expected.numpy()
    np.testing.assert_allclose(denoised, expected, rtol=1e-4, atol=1e-4)
    # Sec. 5.4: ClassBD as the feature extractor of a classical classifier.
    pipeline = make_pipeline(fast(), LogisticRegression()).fit(X, y)
    assert pipeline.score(X, y) > 0.5


def test_fit_is_deterministic_and_leaves_global_random_state_alone():
    X, y = impulse_trains()
    np_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    first, second = fast().fit(X, y), fast().fit(X, y)
    other_seed = fast(random_state=1).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert first.loss_curve_ == second.loss_curve_
    assert first.loss_curve_ != other_seed.loss_curve_
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_pickled_classifier_predicts_the_same():
    X, y = impulse_trains()
    y = np.where(y == 0, "inner race", "outer race")
    clf = fast().fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.transform(X), clf.transform(X))
    assert set(restored.predict(X)) <= {"inner race", "outer race"}


@pytest.mark.parametrize("n_features", [1, 2, 5])
def test_signals_of_any_length_are_accepted(n_features):
    rng = np.random.RandomState(0)
    X, y = rng.randn(12, n_features), np.repeat([0, 1], 6)
    clf = fast(max_epochs=1).fit(X, y)
    assert clf.predict(X).shape == (12,)
    assert clf.transform(X).shape == (12, n_features)


def test_bad_input_gets_clear_errors():
    X, y = impulse_trains(n_per_class=4)
    with pytest.raises(ValueError, match="NaN"):
        fast().fit(np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X), y)
    with pytest.raises(ValueError, match="dim 3"):
        fast().fit(X[:, :, None], y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        fast().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="filter_kernel_size must be odd"):
        fast(filter_kernel_size=4).fit(X, y)
    with pytest.raises(ValueError, match="backbone"):
        fast(backbone="lstm").fit(X, y)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            fast(device="cuda").fit(X, y)
    clf = fast(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.transform(X[:, :10])


def test_works_after_smote_in_an_imblearn_pipeline_under_grid_search():
    X, y = impulse_trains(n_per_class=16)
    X, y = X[:24], y[:24]  # 16 of class 0, 8 of class 1
    pipeline = Pipeline(
        [
            ("smote", SMOTE(k_neighbors=3, random_state=0)),
            ("classbd", fast(max_epochs=2)),
        ]
    )
    search = GridSearchCV(pipeline, {"classbd__quadratic_lr_ratio": [0.1, 1.0]}, cv=2)
    search.fit(X, y)
    assert search.best_estimator_.predict(X).shape == (24,)


@parametrize_with_checks([ClassBDClassifier(**TINY)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)

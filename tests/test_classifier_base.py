"""Behaviour shared by every torch classifier, on a tiny WDCNN and test subclasses."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from deepsmote_sk._training import train_loop
from deepsmote_sk.classifiers import BaseTorchClassifier, WDCNNClassifier

from test_classbd import fast as tiny_classbd


def tiny(**params):
    defaults = dict(
        width=0.25,
        n_hidden=8,
        max_epochs=4,
        batch_size=16,
        lr=0.01,
        device="cpu",
        random_state=0,
    )
    return WDCNNClassifier(**{**defaults, **params})


def make_signals(n_per_class=(20, 20), length=64, seed=0):
    """Noisy sines, one frequency per class: an easy problem."""
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    X = np.vstack(
        [
            np.sin(0.15 * (1 + 4 * k) * t) + 0.3 * rng.randn(n, length)
            for k, n in enumerate(n_per_class)
        ]
    )
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    return X, y


class ShortSignalNet(WDCNNClassifier):
    """A net that needs 16 samples, to prove the base's minimum-length check."""

    def _min_length(self):
        return 16


class _DictOutput(nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.linear = nn.Linear(n_features, n_classes)

    def forward(self, x):
        return {"logits": self.linear(x), "x": x}


class DictOutputNet(WDCNNClassifier):
    """Exercises every hook: dict outputs, loss components, init and param groups."""

    def _build_module(self, n_features, n_classes):
        return _DictOutput(n_features, n_classes)

    def _initialize_module(self, module, X, y):
        self.init_rows_ = X.shape[0]
        with torch.no_grad():
            module.linear.bias.fill_(0.5)

    def _param_groups(self, module):
        # The bias is frozen (lr 0) so the test can see the groups are used.
        return [
            {"params": [module.linear.weight], "lr": self.lr},
            {"params": [module.linear.bias], "lr": 0.0},
        ]

    def _loss(self, module, outputs, X, y, class_weight):
        self.seen_class_weight_ = class_weight
        losses = super()._loss(module, outputs, X, y, class_weight)
        penalty = 1e-3 * outputs["x"].pow(2).mean()
        return {
            "loss": losses["loss"] + penalty,
            "cross_entropy": losses["loss"],
            "penalty": penalty,
        }


def test_same_random_state_gives_bit_identical_predict_proba():
    X, y = make_signals()
    first = tiny(random_state=3).fit(X, y).predict_proba(X)
    second = tiny(random_state=3).fit(X, y).predict_proba(X)
    other = tiny(random_state=4).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_fit_and_predict_leave_global_random_state_untouched():
    X, y = make_signals()
    np.random.seed(123)
    torch.manual_seed(123)
    numpy_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    tiny(early_stopping=True, random_state=0).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_string_labels_are_predicted_from_classes_():
    X, y = make_signals(n_per_class=(20, 20, 20))
    labels = np.array(["ball", "inner", "outer"])[y]
    clf = tiny(max_epochs=15).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["ball", "inner", "outer"])
    predicted = clf.predict(X)
    assert predicted.dtype == labels.dtype
    assert np.mean(predicted == labels) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], predicted)


def test_balanced_class_weight_weights_the_loss_by_inverse_class_frequency():
    X, y = make_signals(n_per_class=(30, 10))
    balanced = DictOutputNet(
        class_weight="balanced", max_epochs=2, device="cpu", random_state=0
    ).fit(X, y)
    np.testing.assert_allclose(balanced.class_weight_, [40 / (2 * 30), 40 / (2 * 10)])
    np.testing.assert_allclose(
        balanced.seen_class_weight_.numpy(), balanced.class_weight_
    )

    plain = DictOutputNet(max_epochs=2, device="cpu", random_state=0).fit(X, y)
    assert plain.seen_class_weight_ is None
    np.testing.assert_array_equal(plain.class_weight_, [1.0, 1.0])
    assert plain.loss_curve_ != balanced.loss_curve_


def test_dict_class_weight_maps_labels_to_weights():
    X, y = make_signals()
    labels = np.array(["healthy", "faulty"])[y]
    clf = tiny(class_weight={"faulty": 5.0}, max_epochs=1).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["faulty", "healthy"])
    np.testing.assert_allclose(clf.class_weight_, [5.0, 1.0])


def test_early_stopping_stops_before_max_epochs_and_keeps_the_best_epoch():
    X, y = make_signals(n_per_class=(30, 30))
    clf = tiny(
        early_stopping=True, n_iter_no_change=2, max_epochs=60, validation_fraction=0.2
    ).fit(X, y)
    assert clf.n_iter_ < 60
    assert (
        len(clf.validation_scores_)
        == len(clf.history_)
        == len(clf.loss_curve_)
        == clf.n_iter_
    )
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert all("validation_score" in record for record in clf.history_)
    # The run stops n_iter_no_change epochs after its last improvement.
    best_epoch = int(np.argmax(clf.validation_scores_))
    assert clf.n_iter_ - 1 - best_epoch >= 2


def test_without_early_stopping_all_epochs_run():
    X, y = make_signals()
    clf = tiny(max_epochs=3).fit(X, y)
    assert clf.n_iter_ == 3
    assert not hasattr(clf, "best_validation_score_")


@pytest.mark.parametrize("n_per_class", [(3, 4), (20, 20), (150, 150)])
def test_max_steps_trains_exactly_that_many_steps_whatever_the_number_of_rows(
    n_per_class,
):
    X, y = make_signals(n_per_class=n_per_class)
    clf = tiny(max_steps=7, max_epochs=1).fit(X, y)
    assert clf.n_steps_ == 7
    n_per_epoch = -(-len(y) // 16)  # batches of 16, a lone last row merged
    if len(y) % 16 == 1:
        n_per_epoch -= 1
    assert clf.n_iter_ == -(-7 // n_per_epoch)


def test_max_steps_counts_optimizer_steps():
    X, y = make_signals()
    clf = tiny(max_steps=5)
    calls = []
    original = torch.optim.Adam.step

    def counting_step(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = counting_step
    try:
        clf.fit(X, y)
    finally:
        torch.optim.Adam.step = original
    assert len(calls) == 5 == clf.n_steps_


def test_an_epoch_budget_runs_whole_epochs():
    X, y = make_signals()  # 40 rows: 3 batches of 16 per epoch
    clf = tiny(max_epochs=2).fit(X, y)
    assert clf.n_steps_ == 6 and clf.n_iter_ == 2


def test_verbose_step_budget_shows_steps(capfd):
    X, y = make_signals()
    tiny(max_steps=4, verbose=True).fit(X, y)
    assert "4/4" in capfd.readouterr().err


def test_early_stopping_needs_a_training_and_a_validation_sample():
    X, y = make_signals(n_per_class=(1, 1))
    with pytest.raises(
        ValueError, match="early_stopping needs at least 2 training samples"
    ):
        tiny(early_stopping=True, validation_fraction=0.5).fit(X, y)


def test_verbose_shows_a_tqdm_progress_bar(capfd):
    X, y = make_signals()
    tiny(max_epochs=2, verbose=True).fit(X, y)
    err = capfd.readouterr().err
    assert "WDCNNClassifier" in err and "2/2" in err
    tiny(max_epochs=2).fit(X, y)
    assert "WDCNNClassifier" not in capfd.readouterr().err


def test_pickle_round_trip_keeps_predictions_and_holds_the_net_on_cpu():
    X, y = make_signals()
    clf = tiny().fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert all(p.device.type == "cpu" for p in restored.module_.parameters())
    assert not restored.module_.training


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_model_fitted_on_cuda_pickles_to_cpu():
    X, y = make_signals()
    clf = tiny(device="cuda").fit(X, y)
    state = clf.__getstate__()
    tensors = list(state["module_"].parameters()) + list(state["module_"].buffers())
    assert all(t.device.type == "cpu" for t in tensors)
    # The fitted estimator itself keeps its net on the GPU.
    assert next(clf.module_.parameters()).device.type == "cuda"
    restored = pickle.loads(pickle.dumps(clf))
    # The restored copy runs on the CPU; cuDNN's convolutions (TF32 by default
    # on recent GPUs) agree with the CPU's to about 1e-3, not bit for bit.
    np.testing.assert_allclose(
        restored.predict_proba(X), clf.predict_proba(X), atol=5e-3
    )


def test_hooks_shape_training_dict_outputs_components_init_and_param_groups():
    X, y = make_signals()
    clf = DictOutputNet(
        max_epochs=3,
        early_stopping=True,
        validation_fraction=0.25,
        device="cpu",
        random_state=0,
    )
    clf.fit(X, y)
    assert clf.init_rows_ == 30  # only the training rows, the validation rows held out
    assert set(clf.history_[0]) == {
        "loss",
        "cross_entropy",
        "penalty",
        "validation_score",
    }
    np.testing.assert_array_equal(clf.module_.linear.bias.detach().numpy(), 0.5)
    assert clf.predict_proba(X).shape == (40, 2)


def test_a_lone_last_sample_joins_the_previous_batch():
    # 17 samples in batches of 16 would leave a batch of one, which batch
    # normalisation cannot train on.
    X, y = make_signals(n_per_class=(9, 8))
    clf = tiny(batch_size=16, max_epochs=2).fit(X, y)
    assert clf.n_iter_ == 2


@pytest.mark.parametrize("make", [tiny, tiny_classbd])
@pytest.mark.parametrize("n_rows, n_steps", [(6, 3), (7, 3)])
def test_batch_size_one_trains_batch_norm_nets_on_pairs_of_rows(make, n_rows, n_steps):
    # A batch of one row has no batch statistics: batch normalisation raised
    # "Expected more than 1 value per channel when training".
    X = np.random.RandomState(0).randn(n_rows, 64)
    y = np.arange(n_rows) % 2
    clf = make(batch_size=1, max_epochs=1).fit(X, y)
    assert clf.n_steps_ == n_steps  # pairs, a lone last row merged
    assert np.isfinite(clf.loss_curve_).all()
    assert make(batch_size=1, max_steps=5).fit(X, y).n_steps_ == 5


def _counts(X):
    """The windows as an acquisition system delivers them: int16 counts."""
    return (X / np.abs(X).max() * 30000).astype(np.int16)


@pytest.mark.parametrize("make", [tiny, tiny_classbd])
def test_raw_scale_counts_train_like_their_unit_scale_values(make):
    X, y = make_signals(n_per_class=(18, 18))
    counts = _counts(X)
    raw = make(max_epochs=10).fit(counts, y)
    unit = make(max_epochs=10).fit(counts / 30000.0, y)
    assert np.isfinite(raw.loss_curve_).all()
    np.testing.assert_allclose(raw.loss_curve_, unit.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(
        raw.predict_proba(counts), unit.predict_proba(counts / 30000.0), atol=1e-4
    )


def test_the_input_scale_is_one_mean_and_std_of_the_training_values():
    X, y = make_signals()
    clf = tiny(max_epochs=1).fit(1000.0 * X + 7.0, y)
    assert clf.input_mean_ == pytest.approx(1000.0 * X.mean() + 7.0)
    assert clf.input_scale_ == pytest.approx(1000.0 * X.std())
    constant = tiny(max_epochs=1).fit(np.full_like(X, 3.0), y)
    assert constant.input_scale_ == 1.0


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_huge_or_tiny_finite_input_gives_finite_training_and_predictions(factor):
    X, y = make_signals()
    clf = tiny(max_epochs=2).fit(X * factor, y)
    assert np.isfinite(clf.loss_curve_).all()
    reference = tiny(max_epochs=2).fit(X, y)
    np.testing.assert_allclose(
        clf.predict_proba(X * factor), reference.predict_proba(X), atol=1e-4
    )


def test_a_non_finite_loss_raises_a_clear_error_without_torch_warnings():
    weight = nn.Parameter(torch.ones(1))

    def step(batch):
        return {"loss": weight * float("nan")}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match="loss became nan at epoch 0"):
            train_loop(step, lambda epoch: [0], torch.optim.SGD([weight], lr=0.1), 1)


def test_works_in_an_imblearn_pipeline_after_smote():
    X, y = make_signals(n_per_class=(40, 8))
    pipe = make_pipeline(SMOTE(k_neighbors=3, random_state=0), tiny(max_epochs=10))
    pipe.fit(X, y)
    X_test, y_test = make_signals(n_per_class=(20, 20), seed=1)
    assert pipe.score(X_test, y_test) > 0.8


def test_works_in_grid_search_cv():
    X, y = make_signals()
    search = GridSearchCV(
        tiny(), {"lr": [1e-3, 1e-2], "width": [0.25, 0.5]}, cv=2, error_score="raise"
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_params_["lr"] in (1e-3, 1e-2)
    assert search.best_estimator_.n_features_in_ == 64


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), "NaN"),
        (
            lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X),
            "infinity",
        ),
        (lambda X: X[0], "Expected 2D array"),
        (lambda X: X[:, None, :], "dim 3"),
    ],
    ids=["nan", "inf", "1d", "3d"],
)
def test_bad_input_gets_a_clear_error(bad, message):
    X, y = make_signals()
    with pytest.raises(ValueError, match=message):
        tiny().fit(bad(X), y)
    clf = tiny(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=message):
        clf.predict(bad(X))


def test_signals_shorter_than_the_minimum_are_rejected_with_the_minimum():
    X, y = make_signals(length=8)
    with pytest.raises(ValueError, match=r"length 8 \(n_features=8\); at least 16 samples"):
        ShortSignalNet(max_epochs=1).fit(X, y)


def test_a_single_class_is_rejected():
    X, _ = make_signals()
    with pytest.raises(ValueError, match="at least 2 classes; got 1 class"):
        tiny().fit(X, np.zeros(len(X)))


def test_predict_with_another_signal_length_is_rejected():
    X, y = make_signals()
    clf = tiny(max_epochs=1).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 32 features, but WDCNNClassifier is expecting 64"
    ):
        clf.predict(X[:, :32])


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_without_cuda_is_rejected():
    X, y = make_signals()
    with pytest.raises(ValueError, match="CUDA is not available"):
        tiny(device="cuda").fit(X, y)


def test_invalid_parameters_are_rejected_at_fit():
    X, y = make_signals()
    with pytest.raises(InvalidParameterError, match="class_weight"):
        tiny(class_weight="inverse").fit(X, y)
    with pytest.raises(InvalidParameterError, match="max_epochs"):
        tiny(max_epochs=0).fit(X, y)


def test_base_class_cannot_be_instantiated():
    with pytest.raises(TypeError):
        BaseTorchClassifier()

"""DSEASMOTE honours the imbalanced-learn / scikit-learn sampler contract."""

import pickle
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_param_validation
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from _dseasmote_helpers import signals, tiny

# An untrained tiny network rarely passes the filter; the fill-up warning is
# expected there and tested on its own in test_dseasmote_hard_cases.py.
pytestmark = pytest.mark.filterwarnings(
    "ignore:DSEASMOTE. the quality filter:UserWarning"
)


# -------------------------------------------------------- estimator checks
@imblearn_checks([tiny()])
def test_imblearn_estimator_checks(estimator, check):
    check(estimator)


@sklearn_checks([tiny()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_every_parameter_is_validated():
    check_param_validation("DSEASMOTE", tiny())


# ------------------------------------------------------- sampling strategy
@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {0: 30, 1: 30, 2: 30}),
        ("minority", {0: 30, 1: 10, 2: 30}),
        ({1: 15, 2: 12}, {0: 30, 1: 15, 2: 12}),
        (lambda y: {2: 20}, {0: 30, 1: 10, 2: 20}),
    ],
    ids=["str-auto", "str-minority", "dict", "callable"],
)
def test_sampling_strategy_forms_give_exact_counts(strategy, expected):
    X, y = signals((30, 10, 6))
    _, y_res = tiny(sampling_strategy=strategy).fit_resample(X, y)
    assert dict(Counter(y_res)) == expected


def test_float_sampling_strategy_on_binary_data():
    X, y = signals((30, 6))
    _, y_res = tiny(sampling_strategy=0.5).fit_resample(X, y)
    assert Counter(y_res) == {0: 30, 1: 15}


def test_fit_resample_returns_original_rows_first_then_classes_in_order():
    X, y = signals((30, 10, 6))
    X_res, y_res = tiny().fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(X)], y)
    assert y_res[len(X) :].tolist() == [1] * 20 + [2] * 24


def test_synthetic_rows_are_new_and_finite():
    X, y = signals((30, 8))
    X_res, _ = tiny().fit_resample(X, y)
    new = X_res[len(X) :]
    assert np.isfinite(new).all()
    # Not copies of training rows.
    distance = np.abs(new[:, None, :] - X[None, :, :]).max(axis=2).min(axis=1)
    assert (distance > 1e-6).all()


def test_float32_in_float32_out_and_int_becomes_float64():
    X, y = signals((30, 6), dtype=np.float32)
    X_res, _ = tiny().fit_resample(X, y)
    assert X_res.dtype == np.float32
    X_int = np.round(X * 10).astype(np.int64)
    X_res, _ = tiny().fit_resample(X_int, y)
    assert X_res.dtype == np.float64
    np.testing.assert_array_equal(X_res[: len(X)], X_int)


def test_pandas_list_and_string_labels_round_trip():
    pd = pytest.importorskip("pandas")
    X, y = signals((30, 6))
    labels = np.where(y == 0, "normal", "IR007")
    X_df = pd.DataFrame(X, columns=[f"t{i}" for i in range(X.shape[1])])
    y_s = pd.Series(labels, name="fault")
    X_res, y_res = tiny().fit_resample(X_df, y_s)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert X_res.columns.tolist() == X_df.columns.tolist() and y_res.name == "fault"
    assert Counter(y_res) == {"normal": 30, "IR007": 30}
    X_list, y_list = tiny().fit_resample(X.tolist(), labels.tolist())
    assert isinstance(X_list, list) and isinstance(y_list, list)
    np.testing.assert_allclose(X_list, X_res.to_numpy())


def test_no_transform_and_no_sample_indices():
    X, y = signals()
    sampler = tiny()
    sampler.fit_resample(X, y)
    assert not hasattr(sampler, "transform")
    assert not hasattr(sampler, "sample_indices_")


# ---------------------------------------------------------- reproducibility
def test_same_random_state_gives_bit_identical_output():
    X, y = signals()
    first, _ = tiny(random_state=3).fit_resample(X, y)
    second, _ = tiny(random_state=3).fit_resample(X, y)
    other, _ = tiny(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[len(X) :], other[len(X) :])


def test_output_is_bit_identical_in_another_process():
    X, y = signals()
    here, _ = tiny(random_state=5).fit_resample(X, y)
    code = textwrap.dedent("""
        import sys, numpy as np, torch
        torch.set_num_threads(1)
        sys.path.insert(0, sys.argv[1])
        from _dseasmote_helpers import signals, tiny
        X, y = signals()
        X_res, _ = tiny(random_state=5).fit_resample(X, y)
        sys.stdout.write(X_res.tobytes().hex())
        """)
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    there = np.frombuffer(bytes.fromhex(out), dtype=here.dtype).reshape(here.shape)
    np.testing.assert_array_equal(here, there)


def test_global_random_state_untouched_and_threads_set_then_restored(monkeypatch):
    import deepsmote_sk.over_sampling._dseasmote as module

    during = []
    original = module.train_generator

    def spy(*args, **kwargs):
        during.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "train_generator", spy)
    X, y = signals()
    np.random.seed(123)
    torch.manual_seed(123)
    numpy_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    threads = torch.get_num_threads()
    tiny(n_jobs=threads + 1).fit_resample(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert during == [threads + 1] and torch.get_num_threads() == threads


# ------------------------------------------------------------------ device
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error without CUDA")
def test_cuda_without_cuda_is_a_clear_error():
    X, y = signals()
    with pytest.raises(ValueError, match="CUDA is not available"):
        tiny(device="cuda").fit_resample(X, y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fit_resample_returns_cpu_generator():
    X, y = signals()
    sampler = tiny(device="cuda")
    X_res, _ = sampler.fit_resample(X, y)
    assert np.isfinite(X_res).all()
    assert next(sampler.generator_.parameters()).device.type == "cpu"


@pytest.mark.parametrize("verbose", [True, False])
def test_verbose_shows_a_progress_bar_with_the_losses(monkeypatch, verbose):
    import deepsmote_sk._training as training

    bars = []

    class RecordingBar(training.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.shown = not kwargs.get("disable", False)
            self.label = kwargs.get("desc")
            self.postfixes = []
            bars.append(self)

        def set_postfix(self, ordered_dict=None, refresh=True, **kwargs):
            self.postfixes.append(dict(ordered_dict or {}))
            super().set_postfix(ordered_dict, refresh=refresh, **kwargs)

    monkeypatch.setattr(training, "tqdm", RecordingBar)
    X, y = signals()
    tiny(verbose=verbose).fit_resample(X, y)
    (bar,) = [b for b in bars if b.label == "DSEASMOTE"]
    assert bar.shown is verbose
    assert {"loss", "time", "tf", "latent"} <= set(bar.postfixes[-1])


# --------------------------------------------------------- fitted generator
def test_fitted_generator_survives_pickle_and_joblib(tmp_path):
    X, y = signals()
    sampler = tiny()
    sampler.fit_resample(X, y)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        expected = sampler.generator_(X_t)
    loaded = pickle.loads(pickle.dumps(sampler))
    joblib.dump(sampler, tmp_path / "sampler.joblib")
    from_joblib = joblib.load(tmp_path / "sampler.joblib")
    with torch.no_grad():
        assert torch.equal(loaded.generator_(X_t), expected)
        assert torch.equal(from_joblib.generator_(X_t), expected)
    assert not loaded.generator_.training


def test_fitted_generator_encodes_decodes_and_classifies_in_data_units():
    X, y = signals((30, 6))
    sampler = tiny(max_epochs=30, use_afc=True)  # predict_proba is the AFC's
    sampler.fit_resample(X, y)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        z = sampler.generator_.encode(X_t)
        recon = sampler.generator_.decode(z)
        proba = sampler.generator_.predict_proba(X_t)
    assert z.shape == (36, 4) and recon.shape == X.shape
    np.testing.assert_allclose(proba.sum(dim=1).numpy(), 1.0, rtol=1e-5)
    assert sampler.classes_.tolist() == [0, 1]


def test_clone_keeps_parameters_unchanged():
    sampler = tiny(channels=[4, 8], br_threshold=lambda br: 0.5)
    params = clone(sampler).get_params()
    assert params["channels"] == [4, 8] and params["max_epochs"] == 2

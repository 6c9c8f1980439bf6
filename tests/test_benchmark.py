"""The benchmark runner: grid, cache, tables, figures and the Dask fan-out."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from deepsmote_sk.benchmark import (
    DEFAULT_STEPS,
    METHODS,
    Cell,
    make_grid,
    parse_ratio,
    run_benchmark,
    summarize,
)
from deepsmote_sk.benchmark import _data, _runner
from deepsmote_sk.benchmark._report import (
    CLASSIFICATION_COLUMNS,
    GENERATION_COLUMNS,
    ID_COLUMNS,
)

#: A tiny but complete grid: 2 ratios x 3 methods x 1 seed on the simulator.
TINY = dict(
    ratios=["1:20", "1:5"],
    methods=["none", "SMOTE", "RandomOverSampler"],
    seeds=1,
    n_majority=40,
    n_test=10,
    steps=3,
    classifier_params={"width": 0.25, "batch_size": 32},
)

SIMULATOR_CLASSES = list(_data.SIMULATOR_CLASSES)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("bench")
    return run_benchmark(output=output, plots=True, **TINY)


def test_results_csv_has_one_row_per_cell_with_every_protocol_metric(tiny_run):
    results = pd.read_csv(tiny_run.output / "results.csv")
    cells = set(
        zip(results["ratio"], results["method"], results["classifier"], results["seed"])
    )
    assert cells == {
        (r, m, "resnet1d", 0) for r in TINY["ratios"] for m in TINY["methods"]
    }
    assert len(results) == 6
    expected = (
        ID_COLUMNS
        + CLASSIFICATION_COLUMNS
        + [f"recall_{c}" for c in SIMULATOR_CLASSES]
        + GENERATION_COLUMNS
        + ["resample_time", "fit_time", "error", "key"]
    )
    assert set(expected) <= set(results.columns)
    assert results["error"].isna().all()  # empty: every cell ran
    assert results[CLASSIFICATION_COLUMNS].apply(lambda c: c.between(0, 1)).all().all()
    assert (results["dataset"] == "simulator").all()
    assert sorted(results["imbalance"].unique()) == [5, 20]
    assert (results["fit_time"] > 0).all()


def test_every_method_trains_its_classifier_for_the_same_number_of_steps(tiny_run):
    results = tiny_run.results
    # RandomOverSampler and SMOTE return several times more rows than none ...
    sizes = results.groupby("method")["n_train"].first() + results.groupby("method")[
        "n_synthetic"
    ].first().fillna(0)
    assert sizes["SMOTE"] > 3 * sizes["none"]
    # ... yet every classifier ran exactly the budget, in more or fewer epochs.
    assert (results["steps"] == TINY["steps"]).all()
    assert (results["n_steps"] == TINY["steps"]).all()
    assert (results["batch_size"] == 32).all()
    epochs = results.groupby("method")["epochs"].max()
    assert epochs["none"] >= epochs["SMOTE"]
    config = json.loads((tiny_run.output / "config.json").read_text())
    assert config["steps"] == TINY["steps"] and config["batch_size"] == 32


def test_the_default_budget_is_steps_and_max_epochs_replaces_it(tmp_path):
    assert _runner._budget(None, None, None) == DEFAULT_STEPS
    assert _runner._budget(500, None, {"width": 1}) == 500
    assert _runner._budget(None, 3, None) is None
    assert _runner._budget(None, None, {"max_epochs": 3}) is None
    with pytest.raises(ValueError, match="either as steps or as max_epochs"):
        run_benchmark(steps=10, max_epochs=2, output=tmp_path)
    with pytest.raises(ValueError, match="steps="):
        run_benchmark(classifier_params={"max_steps": 10}, output=tmp_path)
    with pytest.raises(ValueError, match="positive number of steps"):
        run_benchmark(steps=0, output=tmp_path)


def test_parameters_named_after_a_classifier_go_to_that_classifier_only():
    from deepsmote_sk.benchmark._cells import _build_classifier

    cell = make_grid(
        dataset="d",
        data_hash="h",
        classifiers=["resnet1d", "vgg16"],
        methods=["none"],
        ratios=["1:5"],
        seeds=1,
        steps=7,
        classifier_params={"lr": 0.01, "vgg16": {"width": 0.25}},
    )
    resnet = _build_classifier("resnet1d", cell[0], class_weight=None, random_state=0, image_shape=None)
    vgg = _build_classifier("vgg16", cell[1], class_weight=None, random_state=0, image_shape=(32, 32))
    assert (resnet.lr, resnet.width, resnet.max_steps) == (0.01, 1.0, 7)
    assert (vgg.lr, vgg.width, vgg.architecture, vgg.max_steps) == (0.01, 0.25, "vgg16", 7)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"vgg16": {"no_such": 1}}, "not accepted by vgg16"),
        ({"vgg16": 0.25}, "must be a dict"),
    ],
)
def test_bad_per_classifier_parameters_are_rejected(tmp_path, params, message):
    with pytest.raises(ValueError, match=message):
        run_benchmark(classifiers=["vgg16"], classifier_params=params, output=tmp_path)


def test_two_sample_test_tells_interpolations_but_not_new_phases_from_real_windows():
    from deepsmote_sk.benchmark import two_sample_accuracy

    rng = np.random.RandomState(0)
    t = np.arange(256)
    # Impulse trains at random phases: interpolating two of them blurs both.
    X = np.array(
        [
            np.sin(0.4 * t) * np.exp(-((t - p) % 32) / 3.0) + 0.05 * rng.randn(256)
            for p in rng.randint(0, 32, 6)
        ]
    )
    y = np.zeros(6)
    pairs = rng.randint(0, 6, (200, 2))
    gap = rng.uniform(0.3, 0.7, (200, 1))
    interpolated = X[pairs[:, 0]] * (1 - gap) + X[pairs[:, 1]] * gap
    shifted = np.array([np.roll(X[i % 6], rng.randint(1, 256)) for i in range(200)])
    y_syn = np.zeros(200)
    assert two_sample_accuracy(interpolated, y_syn, X, y) > 0.8
    assert two_sample_accuracy(shifted, y_syn, X, y) < 0.6


def test_slow_methods_are_dispatched_first_within_each_seed():
    cells = make_grid(
        dataset="d",
        data_hash="h",
        methods=["none", "SMOTE", "SMOTE_IPF", "TimeShift", "DSEASMOTE"],
        ratios=["1:400", "1:100"],
        classifiers=["resnet1d", "wdcnn"],
        seeds=2,
    )
    order = [(g[0].seed, g[0].method) for g in _runner._groups(cells)]
    slow = {"SMOTE_IPF", "DSEASMOTE"}
    assert len(order) == 2 * 2 * 5  # one group per seed, ratio and method
    assert [seed for seed, _ in order] == [0] * 10 + [1] * 10
    for seed in (0, 1):
        methods = [m for s, m in order if s == seed]
        assert set(methods[:4]) == slow and not slow & set(methods[4:])


def test_a_dseasmote_cell_key_follows_its_source_and_other_keys_do_not(monkeypatch):
    from deepsmote_sk.benchmark import _grid

    def keys():
        grid = make_grid(dataset="d", data_hash="h", methods=["SMOTE", "DSEASMOTE"])
        return {c.method: c.key for c in grid if c.seed == 0 and c.ratio == "1:400"}

    before = keys()
    assert "code" not in make_grid(dataset="d", data_hash="h", methods=["SMOTE"])[0].config()
    monkeypatch.setattr(_grid, "_code_digest", lambda package: "changed" if package else "")
    after = keys()
    assert after["SMOTE"] == before["SMOTE"]
    assert after["DSEASMOTE"] != before["DSEASMOTE"]


def test_generation_metrics_exist_only_for_methods_that_generate_rows(tiny_run):
    results = tiny_run.results
    smote = results[results["method"] == "SMOTE"]
    assert np.isfinite(smote[GENERATION_COLUMNS].to_numpy(dtype=float)).all()
    assert smote["pcc"].between(-1, 1).all() and smote["g_acc"].between(0, 1).all()
    assert smote["js"].between(0, 1).all() and (smote["kl"] >= 0).all()
    others = results[results["method"] != "SMOTE"]
    assert np.isnan(others[GENERATION_COLUMNS].to_numpy(dtype=float)).all()
    # Every resampled training set is balanced: 10 classes x n_majority rows.
    resampled = results[results["method"].isin(["SMOTE", "RandomOverSampler"])]
    assert (
        resampled["n_train"] + resampled["n_synthetic"] == 10 * TINY["n_majority"]
    ).all()


def test_rerunning_a_grid_reads_every_finished_cell_from_the_cache(
    tiny_run, monkeypatch
):
    cell_files = sorted((tiny_run.output / "cells").glob("*.json"))
    assert len(cell_files) == 6
    stamps = [p.stat().st_mtime_ns for p in cell_files]

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cached cell was run again")

    monkeypatch.setattr(_runner, "run_group", must_not_run)
    again = run_benchmark(output=tiny_run.output, plots=False, **TINY)
    assert (again.n_computed, again.n_cached) == (0, 6)
    assert [p.stat().st_mtime_ns for p in cell_files] == stamps
    pd.testing.assert_frame_equal(again.results, tiny_run.results)


def test_an_interrupted_run_continues_with_the_missing_cells_only(tiny_run, tmp_path):
    output = tmp_path / "partial"
    (output / "cells").mkdir(parents=True)
    for path in list((tiny_run.output / "cells").glob("*.json"))[:4]:
        (output / "cells" / path.name).write_text(path.read_text())
    resumed = run_benchmark(output=output, plots=False, **TINY)
    assert (resumed.n_computed, resumed.n_cached) == (2, 4)
    # Same seeds, same CPU thread count: the resumed cells are bit-identical.
    pd.testing.assert_frame_equal(
        resumed.results.drop(columns=["resample_time", "fit_time", "predict_time"]),
        tiny_run.results.drop(columns=["resample_time", "fit_time", "predict_time"]),
    )


def test_summary_table_matches_the_csv(tiny_run):
    results = pd.read_csv(tiny_run.output / "results.csv")
    summary = summarize(results)
    means = results.groupby(["ratio", "method"])[
        ["accuracy", "macro_f1", "g_mean"]
    ].mean()
    for _, row in summary.iterrows():
        for metric in ["accuracy", "macro_f1", "g_mean"]:
            assert row[f"{metric}_mean"] == pytest.approx(
                means.loc[(row["ratio"], row["method"]), metric]
            )
        assert row["n_seeds"] == 1
    markdown = (tiny_run.output / "summary.md").read_text()
    assert markdown == tiny_run.markdown
    for _, row in results.iterrows():
        line = next(
            li
            for li in markdown.splitlines()
            if li.startswith(f"| resnet1d | {row['ratio']} | {row['method']} |")
        )
        printed = [float(v) for v in re.findall(r"\d+\.\d+", line)[:3]]
        assert printed == pytest.approx(
            [row["accuracy"], row["macro_f1"], row["g_mean"]], abs=5e-4 + 1e-9
        )


def test_config_json_records_the_grid_and_the_package_version(tiny_run):
    from deepsmote_sk import __version__

    config = json.loads((tiny_run.output / "config.json").read_text())
    assert config["version"] == __version__
    assert config["ratios"] == TINY["ratios"] and config["methods"] == TINY["methods"]
    assert config["seeds"] == [0] and config["n_cells"] == 6
    assert config["data"] is None and config["dataset"] == "simulator"


def test_figures_are_written(tiny_run):
    names = {p.name for p in tiny_run.plots}
    assert {
        "metrics_vs_br_resnet1d.png",
        "generation_vs_br.png",
        "confusion_resnet1d.png",
        "tsne_resnet1d.png",
        "gallery_SMOTE.png",
    } <= names
    for path in tiny_run.plots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_failing_cell_is_reported_and_retried_not_cached(tmp_path):
    # BR 1:100 of 40 majority windows leaves 0.4 -> 1 window per fault class:
    # SMOTE cannot interpolate.
    with pytest.warns(RuntimeWarning, match="1 benchmark cell"):
        result = run_benchmark(
            output=tmp_path,
            plots=False,
            **{**TINY, "ratios": ["1:40"], "methods": ["none", "SMOTE"]},
        )
    failed = result.results.set_index("method")["error"]
    assert failed["none"] == "" and "at least 2" in failed["SMOTE"]
    assert len(list((tmp_path / "cells").glob("*.json"))) == 1
    summary = result.summary.set_index("method")
    assert summary.loc["SMOTE", "n_seeds"] == 0 and np.isnan(
        summary.loc["SMOTE", "accuracy_mean"]
    )
    assert summary.loc["none", "n_seeds"] == 1


def test_cache_key_follows_the_configuration_not_the_location():
    grid = make_grid(
        dataset="d",
        data_hash="h",
        ratios=["1:5"],
        methods=["SMOTE", "DSEASMOTE"],
        seeds=2,
        sampler_params={"max_epochs": 3},
    )
    assert len({c.key for c in grid}) == 4
    cell = grid[0]
    moved = Cell(**{**cell.__dict__, "data": "/elsewhere/data.npz", "device": "cuda"})
    assert moved.key == cell.key
    assert Cell(**{**cell.__dict__, "data_hash": "other"}).key != cell.key
    # DSEASMOTE parameters do not invalidate the cells of other methods.
    assert grid[0].sampler_params == "{}" and json.loads(grid[1].sampler_params) == {
        "max_epochs": 3
    }


def test_grid_runs_seeds_slowest_and_rejects_unknown_names():
    grid = make_grid(
        dataset="d", data_hash="h", ratios=["1:400", "1:5"], methods=["none"], seeds=2
    )
    assert [(c.seed, c.ratio) for c in grid] == [
        (0, "1:400"),
        (0, "1:5"),
        (1, "1:400"),
        (1, "1:5"),
    ]
    with pytest.raises(ValueError, match="Unknown methods \\['smote'\\]"):
        make_grid(dataset="d", data_hash="h", methods=["smote"])
    with pytest.raises(ValueError, match="Unknown classifiers"):
        make_grid(dataset="d", data_hash="h", classifiers=["vgg19"])


@pytest.mark.parametrize("ratio, factor", [("1:400", 400), (" 1 : 25 ", 25), (5, 5)])
def test_parse_ratio_reads_the_papers_notation(ratio, factor):
    assert parse_ratio(ratio) == factor


@pytest.mark.parametrize("ratio", ["1:401", "2:5", "1/5", "1:0"])
def test_parse_ratio_rejects_other_notations(ratio):
    with pytest.raises(ValueError, match="1:N"):
        parse_ratio(ratio)


@pytest.mark.parametrize(
    "method, param",
    [
        ("SMOTE", "k_neighbors"),
        ("BorderlineSMOTE", "k_neighbors"),
        ("ADASYN", "n_neighbors"),
    ],
)
def test_neighbours_are_clipped_to_the_smallest_class(method, param):
    sampler = METHODS[method].build(3, 0, {}, None, "cpu")
    assert getattr(sampler, param) == 2
    assert getattr(METHODS[method].build(80, 0, {}, None, "cpu"), param) == 5
    with pytest.raises(ValueError, match="at least 2"):
        METHODS[method].build(1, 0, {}, None, "cpu")


def test_ablations_switch_off_the_papers_modules():
    pytest.importorskip("deepsmote_sk.over_sampling")
    switches = {
        name: METHODS[name].build(5, 0, {"max_epochs": 2}, None, "cpu")
        for name in ["DSEASMOTE", "M0", "M1", "M2", "M3"]
    }
    assert {n: (s.use_sea, s.use_afc) for n, s in switches.items()} == {
        "DSEASMOTE": (True, None),  # the preset's: no AFC in "fast", the AFC in "paper"
        "M0": (True, True),
        "M1": (False, True),
        "M2": (True, False),
        "M3": (False, False),
    }
    assert all(s.max_epochs == 2 and s.random_state == 0 for s in switches.values())


# ------------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def test_benchmark_runs_on_a_dask_cluster_with_the_same_results(
    tiny_run, dask_cluster, tmp_path
):
    from deepsmote_sk.cli import main

    assert dask_cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    status = main(
        [
            "benchmark",
            "--scheduler",
            dask_cluster.scheduler_address,
            "--output",
            str(tmp_path),
            "--ratios",
            "1:5",
            "--methods",
            "none,SMOTE",
            "--seeds",
            "1",
            "--n-majority",
            "40",
            "--n-test",
            "10",
            "--steps",
            str(TINY["steps"]),
            "--classifier-params",
            json.dumps(TINY["classifier_params"]),
            "--no-plots",
            "--quiet",
        ]
    )
    assert status == 0
    remote = pd.read_csv(tmp_path / "results.csv").set_index("key")
    local = tiny_run.results.set_index("key").loc[remote.index]
    np.testing.assert_array_equal(
        remote[CLASSIFICATION_COLUMNS], local[CLASSIFICATION_COLUMNS]
    )
    assert (
        json.loads((tmp_path / "config.json").read_text())["scheduler"]
        == dask_cluster.scheduler_address
    )


def test_grid_search_over_a_dseasmote_pipeline_runs_on_the_dask_cluster(dask_cluster):
    pytest.importorskip(
        "deepsmote_sk.over_sampling", reason="DSEASMOTE not available yet"
    )
    import joblib
    from dask.distributed import Client
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    from deepsmote_sk import DSEASMOTE

    rng = np.random.RandomState(0)
    t = np.arange(64)
    X = np.vstack(
        [
            np.sin(0.3 * t + rng.uniform(0, 6, (24, 1))),
            np.sin(1.1 * t + rng.uniform(0, 6, (8, 1))),
        ]
    )
    X += 0.1 * rng.standard_normal(X.shape)
    y = np.array([0] * 24 + [1] * 8)
    pipeline = make_pipeline(
        DSEASMOTE(
            max_epochs=1,
            channels=(4,),
            latent_dim=4,
            n_heads=1,
            use_filter=False,
            device="cpu",
            random_state=0,
        ),
        LogisticRegression(),
    )
    search = GridSearchCV(
        pipeline, {"dseasmote__k_neighbors": [1, 3]}, cv=2, scoring="balanced_accuracy"
    )
    with (
        Client(dask_cluster.scheduler_address) as client,
        joblib.parallel_config(backend="dask"),
    ):
        search.fit(X, y)
        workers = client.scheduler_info()["workers"]
    assert len(workers) == 1
    assert list(search.cv_results_["param_dseasmote__k_neighbors"]) == [1, 3]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["dseasmote__k_neighbors"] in (1, 3)


def test_image_mode_resamples_scalogram_images(tmp_path):
    result = run_benchmark(
        output=tmp_path,
        plots=False,
        **{
            **TINY,
            "ratios": ["1:5"],
            "methods": ["SMOTE"],
            "classifiers": ["scalogram_cnn"],
            "classes": ["normal", "IR007", "OR007"],
        },
    )
    row = result.results.iloc[0]
    assert row["error"] == "" and row["classifier"] == "scalogram_cnn"
    assert row["n_train"] + row["n_synthetic"] == 3 * TINY["n_majority"]
    assert np.isfinite(row[GENERATION_COLUMNS].to_numpy(dtype=float)).all()
    record = json.loads((tmp_path / "cells" / f"{row['key']}.json").read_text())
    shape = record["extras"]["image_shape"]
    assert (
        len(record["extras"]["examples"]["IR007"]["synthetic"]) == shape[0] * shape[1]
    )


def test_image_mode_runs_the_papers_vgg16_and_shifts_images_along_time(tmp_path):
    result = run_benchmark(
        output=tmp_path,
        plots=False,
        **{
            **TINY,
            "ratios": ["1:5"],
            "methods": ["TimeShift"],
            "classifiers": ["vgg16"],
            "classes": ["normal", "IR007", "OR007"],
            "classifier_params": {"batch_size": 32, "vgg16": {"width": 0.0625}},
        },
    )
    row = result.results.iloc[0]
    assert row["error"] == "" and row["classifier"] == "vgg16"
    assert row["n_steps"] == TINY["steps"]
    # A roll along time keeps each scale's mean and spread: the two-sample
    # test cannot tell the shifted images from the real ones.
    assert row["c2st"] < 0.6


def test_noise_is_added_at_the_requested_snr_then_windows_are_standardised():
    clean = _data._split(
        None, ratio="1:5", window=256, seed=0, n_majority=40, n_test=10, snr=None
    )
    noisy = _data._split(
        None, ratio="1:5", window=256, seed=0, n_majority=40, n_test=10, snr=0.0
    )
    np.testing.assert_array_equal(clean[1], noisy[1])
    for X_clean, X_noisy in ((clean[0], noisy[0]), (clean[2], noisy[2])):
        np.testing.assert_allclose(X_noisy.mean(axis=1), 0, atol=1e-5)
        np.testing.assert_allclose(X_noisy.std(axis=1), 1, atol=1e-4)
        # At 0 dB signal and noise have equal power: correlation 1/sqrt(2).
        corr = np.mean(X_clean * X_noisy, axis=1)
        assert abs(np.median(corr) - 2**-0.5) < 0.05


def test_features_for_t_sne_are_the_input_of_the_last_linear_layer():
    from deepsmote_sk.benchmark._metrics import features_of
    from deepsmote_sk.classifiers import WDCNNClassifier

    X, y, X_test, _ = _data._split(
        None, ratio="1:5", window=256, seed=0, n_majority=40, n_test=10, snr=None
    )
    clf = WDCNNClassifier(
        width=0.25, n_hidden=8, max_epochs=1, device="cpu", random_state=0
    ).fit(X, y)
    assert features_of(clf, X_test).shape == (len(X_test), 8)

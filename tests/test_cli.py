"""The ``deepsmote-sk`` console script."""

import json
import shutil
import subprocess

import pandas as pd
import pytest

from deepsmote_sk import cli
from deepsmote_sk.benchmark import DEFAULT_STEPS, METHODS

ISSUE_FLAGS = [
    "--data",
    "--window",
    "--ratios",
    "--methods",
    "--classifiers",
    "--seeds",
    "--snr",
    "--n-jobs",
    "--scheduler",
    "--output",
]


def test_benchmark_help_lists_every_flag_of_the_issue(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in ISSUE_FLAGS + ["--quick", "--max-epochs", "--n-majority", "--n-test"]:
        assert flag in text
    for name in [
        "RandomOverSampler",
        "BorderlineSMOTE",
        "DSEASMOTE",
        "M3",
        "scalogram_cnn",
        "shapelet",
    ]:
        assert name in text


def test_console_script_is_installed():
    executable = shutil.which("deepsmote-sk")
    if executable is None:
        pytest.skip(
            "deepsmote-sk is not on PATH (package not installed with pip install -e .)"
        )
    done = subprocess.run(
        [executable, "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "benchmark" in done.stdout


def test_benchmark_command_prints_the_summary_and_keeps_names_verbatim(
    tmp_path, capsys
):
    status = cli.main(
        [
            "benchmark",
            "--output",
            str(tmp_path),
            "--ratios",
            "1:5",
            "--methods",
            "none,class_weight,RandomOverSampler",
            "--seeds",
            "1",
            "--n-majority",
            "40",
            "--n-test",
            "10",
            "--classes",
            "OR007,normal,IR007",
            "--steps",
            "2",
            "--classifier-params",
            '{"width": 0.25}',
            "--no-plots",
            "--quiet",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    results = pd.read_csv(tmp_path / "results.csv")
    assert list(results["method"]) == ["none", "class_weight", "RandomOverSampler"]
    assert set(results["classifier"]) == {"resnet1d"}
    assert (results["n_steps"] == 2).all()
    # The chosen classes, in the data's order.
    assert [c for c in results.columns if c.startswith("recall_")] == [
        "recall_normal",
        "recall_IR007",
        "recall_OR007",
    ]
    assert (results["n_train"] == 40 + 2 * 8).all()
    for method in results["method"]:
        assert f"| resnet1d | 1:5 | {method} |" in out
    assert (tmp_path / "summary.md").read_text() in out
    assert "3 run now, 0 from the cache" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--methods", "none,smote"], "Unknown methods ['smote']"),
        (["--ratios", "1:1000"], "1 <= N <= 400"),
        (
            ["--classifier-params", '{"no_such": 1}'],
            "not accepted by any of the classifiers",
        ),
        (["--classes", "normal,IR999"], "Unknown classes ['IR999']"),
        (["--classes", "IR007,OR007"], "must include the majority class 'normal'"),
    ],
)
def test_benchmark_command_rejects_bad_grids_with_a_clear_message(
    tmp_path, capsys, argv, message
):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", "--output", str(tmp_path), *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--seeds", "0"], ["--n-jobs", "0"], ["--dseasmote-params", "[1]"]]
)
def test_benchmark_command_rejects_bad_values(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", *argv])
    assert exit_info.value.code == 2
    assert "expected" in capsys.readouterr().err


def _captured_call(monkeypatch, argv):
    import deepsmote_sk.benchmark as benchmark

    calls = []

    def fake_run(data, **kwargs):
        calls.append({"data": data, **kwargs})
        raise SystemExit(0)

    monkeypatch.setattr(benchmark, "run_benchmark", fake_run)
    with pytest.raises(SystemExit):
        cli.main(["benchmark", *argv])
    return calls[0]


def test_full_protocol_is_the_default(monkeypatch):
    call = _captured_call(monkeypatch, [])
    assert call["data"] is None
    assert call["ratios"] == ["1:400", "1:100", "1:25", "1:5"]
    assert list(call["methods"]) == list(METHODS)
    assert {"none", "SMOTE", "TimeShift", "DSEASMOTE", "M3"} <= set(call["methods"])
    assert call["classifiers"] == ["resnet1d"]
    assert call["steps"] == DEFAULT_STEPS and call["max_epochs"] is None
    assert (call["seeds"], call["n_majority"], call["n_test"], call["window"]) == (
        3,
        2000,
        500,
        256,
    )
    assert call["snr"] is None and call["scheduler"] is None and call["n_jobs"] == 1


def test_max_epochs_replaces_the_step_budget(monkeypatch):
    call = _captured_call(monkeypatch, ["--max-epochs", "3"])
    assert call["steps"] is None and call["max_epochs"] == 3
    call = _captured_call(monkeypatch, ["--quick", "--steps", "50"])
    assert call["steps"] == 50 and call["max_epochs"] is None


def test_steps_and_max_epochs_together_are_rejected(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            ["benchmark", "--output", str(tmp_path), "--steps", "5", "--max-epochs", "2"]
        )
    assert exit_info.value.code == 2
    assert "either as steps or as max_epochs" in capsys.readouterr().err


def test_quick_preset_yields_to_explicit_flags(monkeypatch):
    call = _captured_call(
        monkeypatch,
        [
            "--quick",
            "--seeds",
            "1",
            "--dseasmote-params",
            '{"lr": 0.01}',
            "--data",
            "x.npz",
            "--snr",
            "0",
        ],
    )
    assert call["seeds"] == 1 and call["data"] == "x.npz" and call["snr"] == 0.0
    assert call["ratios"] == cli.QUICK["ratios"].split(",")
    assert call["steps"] == cli.QUICK["steps"] and "TimeShift" in call["methods"]
    assert call["n_majority"] == cli.QUICK["n_majority"]
    assert call["sampler_params"] == {**cli.QUICK["dseasmote_params"], "lr": 0.01}
    assert json.loads(json.dumps(call["sampler_params"])) == call["sampler_params"]


def _bad_data_path(tmp_path, kind):
    if kind == "missing":
        return tmp_path / "nonexistent.npz", "does not exist"
    if kind == "folder without .mat files":
        (tmp_path / "notes.txt").write_text("no records here")
        return tmp_path, "holds no .mat files"
    (tmp_path / "data.npz").write_text("not an npz")
    return tmp_path / "data.npz", "nor an npz file"


@pytest.mark.parametrize("kind", ["missing", "folder without .mat files", "not an npz"])
def test_a_bad_data_path_gets_one_line_and_exit_code_2_not_a_traceback(
    tmp_path, capsys, kind
):
    path, message = _bad_data_path(tmp_path, kind)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", "--data", str(path), "--output", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("deepsmote-sk benchmark: error:")


def test_an_output_that_is_a_file_gets_one_line_and_exit_code_2(tmp_path, capsys):
    output = tmp_path / "results"
    output.write_text("a file, not a folder")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", "--output", str(output), "--methods", "none",
                  "--seeds", "1", "--ratios", "1:5", "--n-majority", "20",
                  "--n-test", "5", "--quiet", "--no-plots"])
    assert exit_info.value.code == 2
    assert "Not a directory" in capsys.readouterr().err


@pytest.mark.parametrize("snr", ["nan", "inf", "-inf"])
def test_a_non_finite_snr_is_rejected_before_any_cell_runs(capsys, snr):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", f"--snr={snr}"])
    assert exit_info.value.code == 2
    assert "expected a finite number" in capsys.readouterr().err


def test_an_unusable_device_is_rejected_before_any_cell_runs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["benchmark", "--device", "tpu"])
    assert exit_info.value.code == 2
    assert "device must be 'auto', 'cpu' or 'cuda[:N]'" in capsys.readouterr().err

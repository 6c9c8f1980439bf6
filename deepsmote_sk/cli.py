"""The ``deepsmote-sk`` command line.

``deepsmote-sk benchmark`` runs the imbalance study of the DSEA-SMOTE paper
(:func:`deepsmote_sk.benchmark.run_benchmark`) and prints its summary table.
"""

import argparse
import json
import math
import sys

from .utils import resolve_device

__all__ = ["main"]

#: ``--quick``: a small grid that runs in about a minute on an idle 2-core
#: CPU (56 s measured with its plots) and still shows the effect of the
#: imbalance, with the study's default downstream and one step budget for
#: every method, only a smaller one: 200 steps for the classifiers and for
#: DSEASMOTE's generator (its judge keeps its 500). Explicit flags override
#: it.
QUICK = {
    "classes": "normal,IR007,B007,OR007",
    "ratios": "1:50,1:10",
    "methods": "none,class_weight,SMOTE,TimeShift,DSEASMOTE",
    "seeds": 1,
    "n_majority": 200,
    "n_test": 100,
    "steps": 200,
    "dseasmote_params": {"max_steps": 200},
    "n_jobs": 2,
}

#: Defaults of the full protocol (PROTOCOL.md).
FULL = {
    "classes": None,
    "ratios": "1:400,1:100,1:25,1:5",
    "methods": None,
    "seeds": 3,
    "n_majority": 2000,
    "n_test": 500,
    "steps": None,  # the benchmark's DEFAULT_STEPS
    "dseasmote_params": {},
    "n_jobs": 1,
}

_DESCRIPTION = """\
Run the DSEA-SMOTE paper's imbalance study (PROTOCOL.md): for every balance
ratio, method, classifier and seed, build the time-ordered imbalanced split,
balance it with the method, train the classifier and score it on the balanced
test set. Writes results.csv (one row per cell), summary.md (mean +- std over
seeds), config.json and the figures to --output, and prints the summary.
"""

_EXAMPLES = """\
examples:
  # about a minute on the built-in simulator, then the summary table:
  deepsmote-sk benchmark --quick --output demo_results

  # the paper's study on the real CWRU 0 hp data (PROTOCOL.md):
  deepsmote-sk benchmark --data ../shared/data/cwru_12k_de_0hp.npz --window 256 \\
      --ratios 1:400,1:100,1:25,1:5 --seeds 3 --n-jobs 2 --output cwru_results

  # the same cells on a Dask cluster:
  deepsmote-sk benchmark --scheduler tcp://127.0.0.1:8786 --output results

An interrupted run continues where it stopped when re-run with the same
--output: finished cells are read back from OUTPUT/cells/.
"""


def _names(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def _json_object(text):
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected a JSON object such as '{{\"max_epochs\": 20}}'; got {text!r}"
        ) from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"expected a JSON object such as '{{\"max_epochs\": 20}}'; got {text!r}"
        )
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer; got {text!r}"
        ) from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _finite_float(text):
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from exc
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number; got {text!r}")
    return value


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or -1; got {text!r}"
        ) from exc
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or -1 (all cores); got {text!r}"
        )
    return value


def build_parser():
    """The argument parser of ``deepsmote-sk`` (exposed for the docs and tests)."""
    from .benchmark import CLASSIFIERS, DEFAULT_STEPS, METHODS

    parser = argparse.ArgumentParser(
        prog="deepsmote-sk",
        description="Deep, signal-aware oversampling (DSEA-SMOTE) for imbalanced "
        "vibration fault diagnosis.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    bench = sub.add_parser(
        "benchmark",
        help="run the DSEA-SMOTE paper's imbalance benchmark, print its summary",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = bench.add_argument_group("data")
    data.add_argument(
        "--data",
        metavar="PATH",
        help="CWRU npz (as in ../shared/data) or folder of CWRU .mat files "
        "(default: the built-in bearing simulator)",
    )
    data.add_argument(
        "--classes",
        metavar="NAME,...",
        help="a subset of the data's classes, which must include the majority class "
        "normal (default: all ten: normal, IR007, B007, OR007, IR014, B014, OR014, "
        "IR021, B021, OR021)",
    )
    data.add_argument(
        "--window",
        type=_positive_int,
        default=256,
        metavar="N",
        help="window length in samples: 256 (the paper's) or 1024 (default: 256)",
    )
    data.add_argument(
        "--snr",
        type=_finite_float,
        metavar="DB",
        help="add Gaussian noise at this SNR in dB to training and test windows "
        "(default: clean)",
    )
    data.add_argument(
        "--n-majority",
        type=_positive_int,
        metavar="N",
        help="training windows of the majority class; a fault class gets N / 400 "
        "at BR 1:400 (default: 2000)",
    )
    data.add_argument(
        "--n-test",
        type=_positive_int,
        metavar="N",
        help="test windows per class (default: 500)",
    )

    grid = bench.add_argument_group("grid")
    grid.add_argument(
        "--ratios",
        metavar="1:N,...",
        help="balance ratios minority:majority, any of 1:400 ... 1:5 "
        f"(default: {FULL['ratios']})",
    )
    grid.add_argument(
        "--methods",
        metavar="NAME,...",
        help=f"imbalance methods among {', '.join(METHODS)} (default: all; the "
        "smote-variants peers need pip install 'deepsmote_sk[peers]', and their "
        "cells fail with that message without it)",
    )
    grid.add_argument(
        "--classifiers",
        metavar="NAME,...",
        default="resnet1d",
        help=f"downstream classifiers among {', '.join(CLASSIFIERS)} "
        "(scalogram_cnn, the DSEA-SMOTE paper's 3-layer CNN, and vgg16 work on "
        "CWT images; default: resnet1d, a "
        "shift-invariant 1-D ResNet)",
    )
    grid.add_argument(
        "--seeds",
        type=_positive_int,
        metavar="N",
        help="number of seeds 0 .. N-1; a seed fixes the minority subset, the "
        "oversampler and the classifier (default: 3)",
    )

    training = bench.add_argument_group("training")
    training.add_argument(
        "--steps",
        type=_positive_int,
        metavar="N",
        help="training budget: every classifier runs N optimisation steps "
        "(mini-batches) whatever the size of the set a method returns "
        f"(default: {DEFAULT_STEPS}; 200 with --quick)",
    )
    training.add_argument(
        "--max-epochs",
        type=_positive_int,
        metavar="N",
        help="an epoch budget instead of --steps: every classifier trains N passes "
        "over whatever set a method returns, so larger sets train longer",
    )
    training.add_argument(
        "--classifier-params",
        type=_json_object,
        metavar="JSON",
        help="more classifier parameters, e.g. '{\"lr\": 0.001}' (each "
        "classifier takes those it knows)",
    )
    training.add_argument(
        "--dseasmote-params",
        type=_json_object,
        metavar="JSON",
        help="DSEASMOTE (and M1-M3) parameters, e.g. "
        '\'{"preset": "paper"}\' or \'{"max_epochs": 100}\'',
    )
    training.add_argument(
        "--device",
        default="cpu",
        help="torch device: cpu, cuda[:N] or auto (default: cpu, bit-reproducible)",
    )

    run = bench.add_argument_group("run")
    run.add_argument(
        "--quick",
        action="store_true",
        help="small preset for a first look, about a minute on 2 CPU cores: "
        + ", ".join(
            f"{k.replace('_', '-')} {json.dumps(v) if isinstance(v, dict) else v}"
            for k, v in QUICK.items()
            if v != {}
        )
        + " (flags given explicitly win)",
    )
    run.add_argument(
        "--n-jobs",
        type=_n_jobs,
        metavar="N",
        help="cells run in parallel (joblib; -1: all cores); each cell then uses "
        "one torch thread (default: 1)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a Dask scheduler (e.g. tcp://127.0.0.1:8786): run the "
        "cells on that cluster through Dask's joblib backend",
    )
    run.add_argument(
        "--output",
        default="benchmark_results",
        metavar="DIR",
        help="results folder; re-running with the same folder skips finished "
        "cells (default: benchmark_results)",
    )
    run.add_argument("--no-plots", action="store_true", help="skip the figures")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _benchmark(args):
    from .benchmark import DEFAULT_STEPS, METHODS, run_benchmark

    preset = QUICK if args.quick else FULL

    def pick(name):
        value = getattr(args, name)
        return preset[name] if value is None else value

    dseasmote_params = {**preset["dseasmote_params"], **(args.dseasmote_params or {})}
    result = run_benchmark(
        args.data,
        window=args.window,
        ratios=_names(pick("ratios")),
        methods=_names(pick("methods")) if pick("methods") else tuple(METHODS),
        classifiers=_names(args.classifiers),
        seeds=pick("seeds"),
        snr=args.snr,
        n_majority=pick("n_majority"),
        n_test=pick("n_test"),
        classes=_names(pick("classes")) if pick("classes") else None,
        steps=args.steps
        if args.steps is not None or args.max_epochs is not None
        else preset["steps"] or DEFAULT_STEPS,
        max_epochs=args.max_epochs,
        classifier_params=args.classifier_params,
        sampler_params=dseasmote_params,
        device=args.device,
        n_jobs=pick("n_jobs"),
        scheduler=args.scheduler,
        output=args.output,
        plots=not args.no_plots,
        verbose=not args.quiet,
    )
    print(result.markdown)
    print(
        f"Results: {result.output / 'results.csv'} ({len(result.results)} cells, "
        f"{result.n_computed} run now, {result.n_cached} from the cache); "
        f"summary: {result.output / 'summary.md'}; "
        f"{len(result.plots)} figure(s) in {result.output}."
    )
    return 1 if len(result.failed) else 0


def main(argv=None):
    """Entry point of the ``deepsmote-sk`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "benchmark":
            # A bad --device would otherwise fail every cell, one by one.
            resolve_device(args.device)
            return _benchmark(args)
    except (ValueError, OSError, ImportError) as exc:
        # OSError: a missing --data path, an --output that is a file or not
        # writable, an unreachable --scheduler. One line, as argparse does.
        parser.exit(2, f"deepsmote-sk {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        parser.exit(
            130,
            f"deepsmote-sk {args.command}: interrupted; finished cells are kept in "
            f"{args.output}/cells and a re-run with the same --output continues.\n",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

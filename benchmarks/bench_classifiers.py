"""Accuracy of the fault classifiers on real CWRU data, clean and under heavy noise.

Usage::

    python benchmarks/bench_classifiers.py                      # the full run
    python benchmarks/bench_classifiers.py --seeds 0 --max-epochs 2 \\
        --n-train-per-class 20 --n-test-per-class 10 --snr clean -4   # a smoke run

Protocol (../shared/PROTOCOL.md, "Noise robustness", balanced classes):

* data: CWRU 12 kHz drive end, 0 hp, ten classes (``--data``, default the
  environment variable ``DEEPSMOTE_SK_CWRU`` or
  ``../shared/data/cwru_12k_de_0hp.npz`` next to the repository);
* windows of ``--window`` samples, 1024 by default (PROTOCOL's allowance for
  CPU budgets; the ClassBD paper uses 2048);
* time-ordered split per class: ``--n-train-per-class`` windows evenly spaced
  over the first 80 % of the class's recording, ``--n-test-per-class``
  windows evenly spaced over the last 20 %; no window crosses the boundary;
* noise (``--noise``, Gaussian by default) added to every train and test
  window at the target SNR computed from that window's own power
  (:func:`deepsmote_sk.noise.add_noise`), then every window standardised;
  ``clean`` skips the noise;
* each seed fixes the noise and the classifier; mean ± standard deviation
  over ``--seeds`` (at least 3 for reported numbers);
* metrics: macro F1 and macro false-positive rate
  (:func:`deepsmote_sk.metrics.macro_fpr`) on the test windows.

Classifiers are imported lazily: one that the package does not provide (yet)
is skipped with a message. Cells (classifier x SNR x seed) fan out with
joblib (``--n-jobs``), each with ``--threads`` torch threads.
"""

import argparse
import contextlib
import json
import os
import sys
import time

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import f1_score

from deepsmote_sk.datasets import load_cwru, make_windows, standardize_windows
from deepsmote_sk.metrics import macro_fpr
from deepsmote_sk.noise import add_noise
from deepsmote_sk.utils import torch_threads

CLASSIFIERS = {
    "wdcnn": "WDCNNClassifier",
    "classbd": "ClassBDClassifier",
    "shapelet": "ShapeletNetClassifier",
}
DEFAULT_DATA = os.environ.get(
    "DEEPSMOTE_SK_CWRU",
    os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "data", "cwru_12k_de_0hp.npz"
    ),
)


def load_split(path, window, n_train, n_test, train_fraction=0.8):
    """Clean, unstandardised train and test windows, time-ordered per class."""
    data = load_cwru(path)
    X_train, y_train, X_test, y_test = [], [], [], []
    for name in data.class_names:
        signal = data.signals[name]
        boundary = int(train_fraction * signal.size)
        X_train.append(make_windows(signal, window, n_train, stop=boundary))
        X_test.append(make_windows(signal, window, n_test, start=boundary))
        y_train += [name] * n_train
        y_test += [name] * n_test
    return np.vstack(X_train), np.array(y_train), np.vstack(X_test), np.array(y_test)


def classifier_class(key):
    """The estimator class for ``key``, or None when the package lacks it."""
    try:
        from deepsmote_sk import classifiers
    except ImportError as exc:
        print(
            f"skipping {key}: deepsmote_sk.classifiers cannot be imported ({exc})",
            file=sys.stderr,
        )
        return None
    cls = getattr(classifiers, CLASSIFIERS[key], None)
    if cls is None:
        print(
            f"skipping {key}: deepsmote_sk.classifiers has no {CLASSIFIERS[key]} yet",
            file=sys.stderr,
        )
    return cls


def prepare(X, snr, noise, seed):
    if snr != "clean":
        X = add_noise(X, float(snr), kind=noise, random_state=seed)
    return standardize_windows(X)


def run_cell(key, cls, snr, seed, split, args):
    X_train, y_train, X_test, y_test = split
    X_train = prepare(X_train, snr, args.noise, seed)
    X_test = prepare(X_test, snr, args.noise, seed + 10_000)
    clf = cls(max_epochs=args.max_epochs, device=args.device, random_state=seed)
    with torch_threads(args.threads):
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        y_pred = clf.predict(X_test)
    return {
        "classifier": key,
        "snr": snr,
        "seed": seed,
        "macro_f1": float(f1_score(y_test, y_pred, average="macro")),
        "macro_fpr": float(macro_fpr(y_test, y_pred)),
        "n_iter": int(clf.n_iter_),
        "fit_s": fit_s,
    }


def table(rows, keys, snrs):
    def cell(metric, key, snr):
        values = [r[metric] for r in rows if r["classifier"] == key and r["snr"] == snr]
        if not values:
            return "n/a"
        return f"{np.mean(values):.4f} ± {np.std(values):.4f} (n={len(values)})"

    header = ["classifier"] + [
        f"{snr} dB" if snr != "clean" else "clean" for snr in snrs
    ]
    lines = []
    for metric in ("macro_f1", "macro_fpr"):
        lines.append(
            f"\n{metric.replace('_', ' ')} (mean ± std over seeds; n: seeds finished)"
        )
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for key in keys:
            lines.append(
                "| "
                + " | ".join([key] + [cell(metric, key, snr) for snr in snrs])
                + " |"
            )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default=DEFAULT_DATA, help="CWRU npz file or folder of .mat files"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--window", type=int, default=1024)
    parser.add_argument("--max-epochs", type=int, default=50)
    parser.add_argument(
        "--classifiers",
        nargs="+",
        choices=sorted(CLASSIFIERS),
        default=list(CLASSIFIERS),
    )
    parser.add_argument(
        "--snr",
        nargs="+",
        default=["clean", "-4", "-6"],
        help="'clean' or SNR values in dB",
    )
    parser.add_argument(
        "--noise", choices=["gaussian", "laplace", "pink"], default="gaussian"
    )
    parser.add_argument("--n-train-per-class", type=int, default=400)
    parser.add_argument("--n-test-per-class", type=int, default=200)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel cells (joblib)")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads per cell"
    )
    parser.add_argument("--output", help="write one JSON record per cell to this file")
    args = parser.parse_args(argv)
    for snr in args.snr:
        if snr != "clean":
            float(snr)

    if not os.path.exists(args.data):
        parser.exit(
            1,
            f"CWRU data not found at {args.data}; "
            "pass --data or set DEEPSMOTE_SK_CWRU.\n",
        )
    split = load_split(
        args.data, args.window, args.n_train_per_class, args.n_test_per_class
    )
    available = {key: classifier_class(key) for key in args.classifiers}
    keys = [key for key, cls in available.items() if cls is not None]

    print(
        f"CWRU 0 hp, 10 classes, window {args.window}, "
        f"{args.n_train_per_class} train / "
        f"{args.n_test_per_class} test windows per class (time-ordered split 80/20), "
        f"{args.noise} noise on train and test, per-window standardisation, "
        f"seeds {args.seeds}, max_epochs {args.max_epochs}, device {args.device}, "
        f"{args.n_jobs} job(s) x {args.threads or 'default'} torch thread(s)"
    )
    start = time.perf_counter()
    # Seeds outermost, so that a run cut short holds every (classifier, SNR)
    # cell of the first seeds; each finished cell is printed and written at
    # once.
    cells = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(run_cell)(key, available[key], snr, seed, split, args)
        for seed in args.seeds
        for key in keys
        for snr in args.snr
    )
    rows = []
    with open(args.output, "w") if args.output else contextlib.nullcontext() as out:
        for row in cells:
            rows.append(row)
            print(
                f"{row['classifier']:>9} snr {row['snr']:>5} seed {row['seed']}: "
                f"macro F1 {row['macro_f1']:.4f}, macro FPR {row['macro_fpr']:.4f}, "
                f"{row['n_iter']} epochs, fit {row['fit_s']:.1f} s",
                flush=True,
            )
            if out is not None:
                out.write(json.dumps(row) + "\n")
                out.flush()
    print(table(rows, keys, args.snr))
    print(
        f"\ntotal {time.perf_counter() - start:.0f} s "
        "(shared machine: times are indicative only)"
    )


if __name__ == "__main__":
    main()

"""Wall time and peak memory of DSEASMOTE on the BR 1:100 CWRU training set.

Usage::

    python benchmarks/bench_dseasmote.py                  # the acceptance run
    python benchmarks/bench_dseasmote.py --downstream spectrum   # + quick comparison

The training set is the one of ../shared/PROTOCOL.md, built by
:func:`deepsmote_sk.datasets.make_imbalanced_split`: CWRU 12 kHz drive end,
0 hp, windows of 256 samples, 2000 ``normal`` windows and 9 x 20 fault
windows (BR 1:100), each window standardised. DSEASMOTE (default ``"fast"``
preset) and imbalanced-learn's SMOTE resample the same arrays in this
process; both times are whole ``fit_resample`` calls. The printed lines are::

    DSEASMOTE(preset='fast') fit_resample: 35.4 s (2180 -> 20000 rows, 1 threads)
    SMOTE fit_resample: 0.04 s (same call) -> DSEASMOTE / SMOTE = 921x
    peak RSS: 0.70 GB (resource.getrusage ru_maxrss of this process)
    filter: mean acceptance 0.91, mean PCC 0.77, mean AFC confidence 0.95, rows ...

(one run on the idle 2-core development machine, 2026-11-30; 30.0 s with
``--threads 2``). ``--threads`` defaults to 1: on cores shared with other
processes torch's intra-op threads wait at barriers (under a load of about
4 the same run took 104 s with 1 thread and 408 s with 2).

With ``--downstream spectrum`` (logistic regression on the log amplitude
spectrum of each window) or ``--downstream wdcnn`` (``WDCNNClassifier``, 20
epochs) a classifier is trained on the unresampled, the SMOTE and the
DSEASMOTE training sets and scored on the 500-windows-per-class test set
(one seed: a smoke comparison, not the Benchmark issue's protocol).

The CWRU file is read from ``$DEEPSMOTE_SK_CWRU`` or
``../shared/data/cwru_12k_de_0hp.npz`` next to the repository.
"""

import argparse
import os
import resource
import sys
import time

import numpy as np
import torch
from imblearn.over_sampling import SMOTE

from deepsmote_sk import DSEASMOTE
from deepsmote_sk.datasets import load_cwru, make_imbalanced_split

_DEFAULT_DATA = os.environ.get(
    "DEEPSMOTE_SK_CWRU",
    os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "data", "cwru_12k_de_0hp.npz"
    ),
)


def _peak_rss_gb():
    # ru_maxrss is in kilobytes on Linux and bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def _classifier(name, seed):
    if name == "wdcnn":
        from deepsmote_sk import WDCNNClassifier

        return WDCNNClassifier(max_epochs=20, random_state=seed)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    # Log amplitude spectrum of each window: fault signatures live in it.
    spectrum = FunctionTransformer(lambda X: np.log1p(np.abs(np.fft.rfft(X, axis=1))))
    return make_pipeline(spectrum, StandardScaler(), LogisticRegression(max_iter=2000))


def _downstream(name, X_train, y_train, X_test, y_test, seed):
    from imblearn.metrics import geometric_mean_score
    from sklearn.metrics import accuracy_score, f1_score

    pred = _classifier(name, seed).fit(X_train, y_train).predict(X_test)
    return (
        accuracy_score(y_test, pred),
        f1_score(y_test, pred, average="macro"),
        geometric_mean_score(y_test, pred, average="multiclass"),
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=_DEFAULT_DATA, help="CWRU npz file")
    parser.add_argument("--ratio", default="1:100", help="balance ratio BR")
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--preset", default="fast", choices=["fast", "paper"])
    parser.add_argument(
        "--max-epochs", type=int, default=None, help="override the preset"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (1: torch's intra-op threads stall on shared cores)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--downstream",
        choices=["spectrum", "wdcnn"],
        help="also train this classifier on no resampling, SMOTE and DSEASMOTE",
    )
    args = parser.parse_args(argv)

    if not os.path.exists(args.data):
        parser.error(
            f"CWRU data not found at {args.data} (use --data or $DEEPSMOTE_SK_CWRU)"
        )
    torch.set_num_threads(args.threads)
    data = load_cwru(args.data)
    X_train, y_train, X_test, y_test = make_imbalanced_split(
        data, ratio=args.ratio, window=args.window, random_state=args.seed
    )

    sampler = DSEASMOTE(
        preset=args.preset, max_epochs=args.max_epochs, random_state=args.seed
    )
    start = time.perf_counter()
    X_deep, y_deep = sampler.fit_resample(X_train, y_train)
    t_deep = time.perf_counter() - start
    rss = _peak_rss_gb()

    start = time.perf_counter()
    X_smote, y_smote = SMOTE(random_state=args.seed).fit_resample(X_train, y_train)
    t_smote = time.perf_counter() - start

    print(
        f"DSEASMOTE(preset={args.preset!r}) fit_resample: {t_deep:.1f} s "
        f"({len(X_train)} -> {len(X_deep)} rows, {torch.get_num_threads()} threads)"
    )
    print(
        f"SMOTE fit_resample: {t_smote:.2f} s (same call) -> DSEASMOTE / SMOTE = "
        f"{t_deep / t_smote:.0f}x"
    )
    print(f"peak RSS: {rss:.2f} GB (resource.getrusage ru_maxrss of this process)")
    reports = list(sampler.quality_.values())
    print(
        "filter: mean acceptance {:.2f}, mean PCC {:.2f}, mean AFC confidence {:.2f}, "
        "rows filled from rejects {}".format(
            np.mean([r["acceptance_rate"] for r in reports]),
            np.mean([r["mean_pcc"] for r in reports]),
            np.mean([r["mean_afc_confidence"] for r in reports]),
            sum(r["n_filled"] for r in reports),
        )
    )

    if args.downstream:
        for name, (X_res, y_res) in [
            ("none", (X_train, y_train)),
            ("SMOTE", (X_smote, y_smote)),
            ("DSEASMOTE", (X_deep, y_deep)),
        ]:
            acc, f1, gmean = _downstream(
                args.downstream, X_res, y_res, X_test, y_test, args.seed
            )
            print(
                f"downstream {args.downstream}, {name:>9}: accuracy {acc:.3f}, "
                f"macro F1 {f1:.3f}, G-mean {gmean:.3f}"
            )


if __name__ == "__main__":
    main()

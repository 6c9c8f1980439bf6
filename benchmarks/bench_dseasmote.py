"""Wall time and peak memory of DSEASMOTE at the study's balance ratios, next to SMOTE.

Usage::

    python benchmarks/bench_dseasmote.py                    # BR 1:400, 1:100, 1:25, 1:5
    python benchmarks/bench_dseasmote.py --ratios 1:100 --preset paper

The training sets are those of ../shared/PROTOCOL.md, built by
:func:`deepsmote_sk.datasets.make_imbalanced_split`: CWRU 12 kHz drive end,
0 hp, windows of 256 samples, 2000 ``normal`` windows and 9 fault classes of
5 (BR 1:400), 20 (1:100), 80 (1:25) or 400 (1:5) windows, each window
standardised. For each ratio a fresh process resamples the same arrays with
DSEASMOTE and with imbalanced-learn's SMOTE (whole ``fit_resample`` calls)
and reports its own peak resident memory, so the peaks of the ratios do not
mask each other. One line per ratio (one run, 2026-12-03, on the idle 2-core
machine, ``--threads 2``, the default without the AFC)::

    BR 1:400  DSEASMOTE   29.7 s (CPU  56.7 s)  SMOTE  0.03 s  (944x)  2045 -> 20000 rows  peak RSS 0.72 GB  acceptance 0.93
    BR 1:100  DSEASMOTE   29.4 s (CPU  56.8 s)  SMOTE  0.04 s  (741x)  2180 -> 20000 rows  peak RSS 0.73 GB  acceptance 0.91
    BR 1:25   DSEASMOTE   25.4 s (CPU  48.3 s)  SMOTE  0.03 s  (795x)  2720 -> 20000 rows  peak RSS 0.73 GB  acceptance 0.88
    BR 1:5    DSEASMOTE   25.6 s (CPU  49.0 s)  SMOTE  0.06 s  (444x)  5600 -> 20000 rows  peak RSS 0.71 GB  acceptance 0.90

The CPU time is the process's (``time.process_time``), which a loaded
machine inflates less than the wall time. The acceptance is the filter's
mean acceptance rate over the generated classes. ``--threads`` defaults to
1: on cores shared with other processes torch's intra-op threads wait at
barriers.

The CWRU file is read from ``$DEEPSMOTE_SK_CWRU`` or
``../shared/data/cwru_12k_de_0hp.npz`` next to the repository.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

_DEFAULT_DATA = os.environ.get(
    "DEEPSMOTE_SK_CWRU",
    os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "data", "cwru_12k_de_0hp.npz"
    ),
)

RATIOS = ("1:400", "1:100", "1:25", "1:5")


def _peak_rss_gb():
    # ru_maxrss is in kilobytes on Linux and bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def measure(data_path, ratio, preset, threads, seed):
    """One ratio, in its own process: times, rows, peak RSS and filter acceptance."""
    import torch
    from imblearn.over_sampling import SMOTE

    from deepsmote_sk import DSEASMOTE
    from deepsmote_sk.datasets import load_cwru, make_imbalanced_split

    torch.set_num_threads(threads)
    X, y, _, _ = make_imbalanced_split(
        load_cwru(data_path), ratio=ratio, window=256, random_state=seed
    )
    sampler = DSEASMOTE(preset=preset, random_state=seed)
    start, cpu = time.perf_counter(), time.process_time()
    X_deep, _ = sampler.fit_resample(X, y)
    t_deep = time.perf_counter() - start
    cpu_deep = time.process_time() - cpu
    rss = _peak_rss_gb()
    n_min = np.unique(y, return_counts=True)[1].min()
    start = time.perf_counter()
    SMOTE(k_neighbors=min(5, n_min - 1), random_state=seed).fit_resample(X, y)
    t_smote = time.perf_counter() - start
    acceptance = np.mean([r["acceptance_rate"] for r in sampler.quality_.values()])
    return t_deep, cpu_deep, t_smote, len(X), len(X_deep), rss, acceptance


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=_DEFAULT_DATA, help="CWRU npz file")
    parser.add_argument("--ratios", default=",".join(RATIOS), help="balance ratios")
    parser.add_argument("--preset", default="fast", choices=["fast", "paper"])
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (1: torch's intra-op threads stall on shared cores)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not os.path.exists(args.data):
        parser.error(
            f"CWRU data not found at {args.data} (use --data or $DEEPSMOTE_SK_CWRU)"
        )
    print(f"DSEASMOTE(preset={args.preset!r}), {args.threads} torch thread(s)")
    context = multiprocessing.get_context("spawn")
    for ratio in args.ratios.split(","):
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            t_deep, cpu_deep, t_smote, n_in, n_out, rss, acceptance = pool.submit(
                measure, args.data, ratio, args.preset, args.threads, args.seed
            ).result()
        print(
            f"BR {ratio:<6} DSEASMOTE {t_deep:6.1f} s (CPU {cpu_deep:5.1f} s)  "
            f"SMOTE {t_smote:5.2f} s  "
            f"({t_deep / t_smote:.0f}x)  {n_in} -> {n_out} rows  "
            f"peak RSS {rss:.2f} GB  acceptance {acceptance:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

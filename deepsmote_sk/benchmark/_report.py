"""The benchmark's tables: the tidy results CSV and the Markdown summary."""

import numpy as np

__all__ = ["cell_ran", "results_frame", "summarize", "summary_markdown"]

#: Columns that identify a cell.
ID_COLUMNS = [
    "dataset",
    "window",
    "ratio",
    "imbalance",
    "snr",
    "method",
    "classifier",
    "seed",
]

#: Scores of the downstream classifier on the test set (higher is better).
CLASSIFICATION_COLUMNS = ["accuracy", "macro_f1", "g_mean"]

#: Quality of the generated rows (NaN for methods that generate none).
GENERATION_COLUMNS = ["pcc", "g_acc", "kl", "js", "c2st"]

#: Sizes, the share of decoded rows DSEASMOTE's filter accepted, the
#: classifier's training budget (``steps``) and what it ran (``n_steps`` of
#: ``batch_size`` rows in ``epochs`` epochs), and timings (seconds, wall clock).
OTHER_COLUMNS = [
    "n_train",
    "n_min",
    "n_synthetic",
    "acceptance",
    "steps",
    "n_steps",
    "batch_size",
    "epochs",
    "resample_time",
    "fit_time",
    "predict_time",
]

#: Columns averaged over seeds by :func:`summarize`.
SUMMARY_COLUMNS = (
    CLASSIFICATION_COLUMNS + GENERATION_COLUMNS + ["resample_time", "fit_time"]
)

_GROUP = ["dataset", "window", "snr", "classifier", "ratio", "imbalance", "method"]

_LABELS = {
    "accuracy": "accuracy",
    "macro_f1": "macro F1",
    "g_mean": "G-mean",
    "pcc": "PCC",
    "g_acc": "G_acc",
    "kl": "KL",
    "js": "JS",
    "c2st": "C2ST",
    "resample_time": "resample (s)",
    "fit_time": "fit (s)",
}


def _pandas():
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "The benchmark tables need pandas: pip install 'deepsmote_sk[benchmark]'"
        ) from exc
    return pandas


def cell_ran(results):
    """Boolean mask of the rows whose cell ran (empty ``error``, even read from CSV)."""
    errors = results["error"]
    return errors.isna() | (errors.astype(str) == "")


def _order(frame, methods=None):
    """Classifier, hardest ratio first, method in grid order, seed."""
    from ._grid import CLASSIFIERS, METHODS

    method_order = list(
        dict.fromkeys(list(methods or []) + list(METHODS) + list(frame["method"]))
    )
    classifier_order = list(
        dict.fromkeys(list(CLASSIFIERS) + list(frame["classifier"]))
    )
    keys = {
        "method": lambda s: s.map(method_order.index),
        "classifier": lambda s: s.map(classifier_order.index),
        "imbalance": lambda s: -s,
    }
    by = [
        c
        for c in ("dataset", "window", "classifier", "imbalance", "method", "seed")
        if c in frame
    ]
    return frame.sort_values(
        by, key=lambda s: keys.get(s.name, lambda v: v)(s), kind="stable"
    )


def results_frame(rows, methods=None):
    """The tidy results table: one row per (dataset, BR, method, classifier, seed).

    Parameters
    ----------
    rows : list of dict
        The ``row`` of each cell record.
    methods : sequence of str, optional
        Method order of the grid (rows are sorted by classifier, hardest
        ratio first, then method in this order, then seed).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ID_COLUMNS`, the classification scores, the
        ``recall_<class>`` columns, the generation metrics, sizes and
        timings, ``error`` (empty when the cell ran) and ``key`` (the cell's
        cache file name).
    """
    pd = _pandas()
    frame = pd.DataFrame(rows)
    recalls = [c for c in frame.columns if c.startswith("recall_")]
    columns = (
        ID_COLUMNS
        + CLASSIFICATION_COLUMNS
        + recalls
        + GENERATION_COLUMNS
        + OTHER_COLUMNS
        + ["error", "key"]
    )
    frame = frame.reindex(columns=columns)
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), "")
    return _order(frame, methods).reset_index(drop=True)


def summarize(results):
    """Mean and standard deviation over seeds of every summary metric.

    Parameters
    ----------
    results : pandas.DataFrame
        As returned by :func:`results_frame` (or read back from
        ``results.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per (dataset, window, snr, classifier, ratio, method) with
        ``<metric>_mean`` and ``<metric>_std`` (sample standard deviation,
        ``ddof=1``; NaN for a single seed) for each of
        :data:`SUMMARY_COLUMNS`, and ``n_seeds``, the number of seeds whose
        cell ran. Failed cells are left out of the statistics (a
        combination whose every cell failed keeps its row, with NaN).

    Examples
    --------
    >>> from deepsmote_sk.benchmark import results_frame, summarize
    >>> rows = [{"dataset": "simulator", "window": 256, "ratio": "1:5",
    ...          "imbalance": 5, "method": "SMOTE", "classifier": "wdcnn",
    ...          "seed": seed, "accuracy": acc, "error": ""}
    ...         for seed, acc in [(0, 0.8), (1, 0.9)]]
    >>> summary = summarize(results_frame(rows))
    >>> summary[["method", "accuracy_mean", "accuracy_std", "n_seeds"]].round(3)
      method  accuracy_mean  accuracy_std  n_seeds
    0  SMOTE           0.85         0.071        2
    """
    results = results.assign(ran=cell_ran(results))
    # A failed cell has NaN metrics, which the statistics skip.
    grouped = results.groupby(_GROUP, dropna=False, sort=False)
    stats = grouped[SUMMARY_COLUMNS].agg(["mean", "std"])
    stats.columns = [f"{metric}_{stat}" for metric, stat in stats.columns]
    stats["n_seeds"] = grouped["ran"].sum().astype(int)
    methods = list(dict.fromkeys(results["method"]))
    return _order(stats.reset_index(), methods).reset_index(drop=True)


def _cell(mean, std, digits):
    if mean is None or not np.isfinite(mean):
        return "–"
    text = f"{mean:.{digits}f}"
    if std is not None and np.isfinite(std):
        text += f" ± {std:.{digits}f}"
    return text


def summary_markdown(summary, title=None, references=None):
    """The summary as a Markdown table (mean ± std over seeds).

    The best mean accuracy, macro F1 and G-mean of each (classifier, BR)
    are in bold.

    Parameters
    ----------
    summary : pandas.DataFrame
        As returned by :func:`summarize`.
    title : str, optional
        A line describing the run, printed above the table.
    references : dict, optional
        Reference classifiers of G_acc: ``{key: {"classifier": ...,
        "test_accuracy": ..., "n_per_class": ...}}``, described below the
        table.

    Returns
    -------
    str
    """
    lines = ["# Benchmark summary", ""]
    if title:
        lines += [title, ""]
    lines += [
        "Mean ± standard deviation over seeds; **bold**: best mean of the column for "
        "that classifier and balance ratio (BR). PCC, G_acc, KL, JS: quality of the "
        "generated rows (– for methods that generate none); times in seconds.",
        "",
    ]
    metrics = [m for m in SUMMARY_COLUMNS if f"{m}_mean" in summary]
    header = ["classifier", "BR", "method"] + [_LABELS[m] for m in metrics] + ["seeds"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    best = {}
    for metric in CLASSIFICATION_COLUMNS:
        column = f"{metric}_mean"
        if column in summary:
            best[metric] = summary.groupby(["classifier", "ratio"], dropna=False)[
                column
            ].transform("max")
    for i, row in summary.iterrows():
        cells = [str(row["classifier"]), str(row["ratio"]), str(row["method"])]
        for metric in metrics:
            digits = 1 if metric.endswith("_time") else 3
            text = _cell(row[f"{metric}_mean"], row[f"{metric}_std"], digits)
            if (
                metric in best
                and np.isfinite(row[f"{metric}_mean"])
                and row[f"{metric}_mean"] == best[metric][i]
            ):
                text = f"**{text}**"
            cells.append(text)
        cells.append(str(int(row["n_seeds"])))
        lines.append("| " + " | ".join(cells) + " |")
    for info in (references or {}).values():
        lines += [
            "",
            f"G_acc is judged by a reference {info['classifier']} trained on "
            f"{info['n_per_class']} real training windows per class (balanced); its "
            f"accuracy on the real test windows is {info['test_accuracy']:.3f}.",
        ]
    return "\n".join(lines) + "\n"

"""The benchmark's figures (matplotlib, drawn off-screen with the Agg canvas).

Figures are built on :class:`matplotlib.figure.Figure` directly, never
through ``pyplot``, so drawing them neither needs a display nor changes the
caller's matplotlib backend or open figures.
"""

from pathlib import Path

import numpy as np

__all__ = [
    "make_plots",
    "plot_confusion_matrices",
    "plot_gallery",
    "plot_generation_vs_br",
    "plot_metrics_vs_br",
    "plot_tsne",
]

_LABELS = {
    "accuracy": "accuracy",
    "macro_f1": "macro F1",
    "g_mean": "G-mean",
    "pcc": "PCC",
    "g_acc": "G_acc",
    "kl": "KL divergence",
    "js": "JS divergence",
}


def _figure(n_panels, n_cols, panel_size=(4.0, 3.2), layout="constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n_rows = int(np.ceil(n_panels / n_cols))
    fig = Figure(
        figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows), layout=layout
    )
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(n_rows, n_cols, squeeze=False).ravel())
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, axes[:n_panels]


def _save(fig, path):
    path = Path(path)
    fig.savefig(path, dpi=90)
    return path


def _color(method):
    """One colour per method across all figures (its place in the registry)."""
    from ._grid import METHODS

    names = list(METHODS)
    return f"C{names.index(method) % 10}" if method in names else None


def _ratio_order(frame):
    return list(
        frame.sort_values("imbalance", ascending=False)["ratio"].drop_duplicates()
    )


def _vs_br(results, metrics, path, title):
    from ._report import cell_ran

    ok = results[cell_ran(results)]
    if ok.empty:
        return None
    ratios = _ratio_order(ok)
    positions = {ratio: i for i, ratio in enumerate(ratios)}
    fig, axes = _figure(len(metrics), min(len(metrics), 4))
    for ax, metric in zip(axes, metrics):
        for method, rows in ok.groupby("method", sort=False):
            stats = rows.groupby("ratio")[metric].agg(["mean", "std"]).reindex(ratios)
            if not np.isfinite(stats["mean"]).any():
                continue
            x = np.arange(len(ratios))
            (line,) = ax.plot(
                x, stats["mean"], marker="o", label=method, color=_color(method)
            )
            spread = stats["std"].fillna(0.0)
            ax.fill_between(
                x,
                stats["mean"] - spread,
                stats["mean"] + spread,
                color=line.get_color(),
                alpha=0.15,
                linewidth=0,
            )
            ax.scatter(
                [positions[r] for r in rows["ratio"]],
                rows[metric],
                s=8,
                color=line.get_color(),
                alpha=0.5,
            )
        ax.set_xticks(range(len(ratios)), ratios)
        ax.set_xlabel("balance ratio (minority : majority)")
        ax.set_ylabel(_LABELS[metric])
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside right center")
    fig.suptitle(title)
    return _save(fig, path)


def plot_metrics_vs_br(results, path, classifier):
    """Accuracy, macro F1 and G-mean against BR, one line per method (paper Fig. 4-5).

    Lines are means over seeds, bands mean ± standard deviation, dots the
    single seeds.
    """
    rows = results[results["classifier"] == classifier]
    return _vs_br(
        rows,
        ["accuracy", "macro_f1", "g_mean"],
        path,
        f"{classifier}: test scores by balance ratio (mean ± std over seeds)",
    )


def plot_generation_vs_br(results, path):
    """PCC, G_acc, KL and JS of the generated rows against BR (paper Fig. 3).

    Pass the rows of one classifier: the generated rows depend on the input
    mode, not on the classifier.
    """
    rows = results[np.isfinite(results["pcc"].astype(float))]
    return _vs_br(
        rows,
        ["pcc", "g_acc", "kl", "js"],
        path,
        "quality of the generated rows by balance ratio (mean ± std over seeds)",
    )


def _hardest(records, classifier):
    """Records of ``classifier`` at the hardest ratio and first seed, by method."""
    rows = [
        r
        for r in records
        if r["row"]["classifier"] == classifier and not r.get("failed")
    ]
    if not rows:
        return []
    hardest = max(r["row"]["imbalance"] for r in rows)
    seed = min(r["row"]["seed"] for r in rows)
    return [
        r for r in rows if r["row"]["imbalance"] == hardest and r["row"]["seed"] == seed
    ]


def plot_confusion_matrices(records, path, classifier):
    """Row-normalised confusion matrices at the hardest BR (paper Fig. 6).

    One panel per method, at the first seed.
    """
    chosen = _hardest(records, classifier)
    if not chosen:
        return None
    fig, axes = _figure(len(chosen), min(len(chosen), 4), panel_size=(3.6, 3.4))
    for ax, record in zip(axes, chosen):
        confusion = np.asarray(record["extras"]["confusion"], dtype=float)
        recall = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
        labels = [str(v) for v in record["extras"]["labels"]]
        ax.imshow(recall, vmin=0, vmax=1, cmap="Blues")
        ticks = range(len(labels))
        ax.set_xticks(ticks, labels, rotation=90, fontsize=7)
        ax.set_yticks(ticks, labels, fontsize=7)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(
            f"{record['row']['method']} (acc {record['row']['accuracy']:.3f})",
            fontsize=9,
        )
    row = chosen[0]["row"]
    fig.suptitle(
        f"{classifier}: confusion matrices at BR {row['ratio']} (seed {row['seed']})"
    )
    return _save(fig, path)


def plot_tsne(records, path, classifier):
    """t-SNE of the classifier's test-window features at the hardest BR (paper Fig. 6).

    The features are the input of the network's last linear layer; one panel
    per method, at the first seed.
    """
    chosen = [r for r in _hardest(records, classifier) if "embedding" in r["extras"]]
    if not chosen:
        return None
    fig, axes = _figure(len(chosen), min(len(chosen), 4), panel_size=(3.6, 3.4))
    classes = list(
        dict.fromkeys(str(v) for r in chosen for v in r["extras"]["embedding_labels"])
    )
    colors = {c: f"C{i % 10}" for i, c in enumerate(classes)}
    for ax, record in zip(axes, chosen):
        embedding = np.asarray(record["extras"]["embedding"])
        labels = np.array([str(v) for v in record["extras"]["embedding_labels"]])
        for label in classes:
            points = embedding[labels == label]
            ax.scatter(
                points[:, 0], points[:, 1], s=6, color=colors[label], label=label
            )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(record["row"]["method"], fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", markerscale=2)
    row = chosen[0]["row"]
    fig.suptitle(
        f"{classifier}: t-SNE of test features at BR {row['ratio']} "
        f"(seed {row['seed']})"
    )
    return _save(fig, path)


def plot_gallery(record, path):
    """Real and synthetic rows side by side, one class per row.

    Signals are drawn with their scalograms (the package's
    :func:`~deepsmote_sk.wavelets.scalogram`); image-mode rows as images.
    """
    examples = record["extras"].get("examples") or {}
    if not examples:
        return None
    image_shape = record["extras"].get("image_shape")
    classes = list(examples)
    n_cols = 2 if image_shape else 4
    # Many small tick-less panels: a fixed layout draws far faster than a
    # constrained one.
    fig, axes = _figure(
        len(classes) * n_cols, n_cols, panel_size=(2.4, 1.3), layout=None
    )
    fig.subplots_adjust(
        left=0.02,
        right=0.98,
        bottom=0.02,
        top=1 - 0.6 / fig.get_figheight(),
        wspace=0.08,
        hspace=0.45,
    )
    axes = axes.reshape(len(classes), n_cols)
    for row_axes, label in zip(axes, classes):
        real = np.asarray(examples[label]["real"])
        synthetic = np.asarray(examples[label]["synthetic"])
        if image_shape:
            images = [real.reshape(image_shape), synthetic.reshape(image_shape)]
            titles = ["real scalogram", "synthetic scalogram"]
        else:
            from ..wavelets import scalogram

            images = list(scalogram(np.stack([real, synthetic]), image_size=None))
            for ax, signal, kind in zip(
                row_axes[:2], (real, synthetic), ("real", "synthetic")
            ):
                ax.plot(signal, linewidth=0.6)
                ax.set_title(f"{label}: {kind} signal", fontsize=8)
                ax.set_xticks([])
                ax.set_yticks([])
            row_axes = row_axes[2:]
            titles = ["real scalogram", "synthetic scalogram"]
        for ax, image, title in zip(row_axes, images, titles):
            ax.imshow(image, aspect="auto", cmap="viridis")
            ax.set_title(f"{label}: {title}", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
    row = record["row"]
    fig.suptitle(
        f"{row['method']}: real vs synthetic at BR {row['ratio']} (seed {row['seed']})"
    )
    return _save(fig, path)


def make_plots(results, records, output):
    """Draw every figure of a benchmark into ``output``; returns their paths.

    * ``metrics_vs_br_<classifier>.png``: test scores against BR per method;
    * ``generation_vs_br.png`` (``generation_vs_br_image.png`` in image
      mode): generation quality against BR;
    * ``confusion_<classifier>.png`` and ``tsne_<classifier>.png`` at the
      hardest BR;
    * ``gallery_<method>.png`` (``gallery_<method>_image.png`` in image
      mode): real vs synthetic rows per class at the hardest BR.
    """
    from ._grid import CLASSIFIERS

    output = Path(output)
    paths = []
    for classifier in dict.fromkeys(results["classifier"]):
        paths.append(
            plot_metrics_vs_br(
                results, output / f"metrics_vs_br_{classifier}.png", classifier
            )
        )
        paths.append(
            plot_confusion_matrices(
                records, output / f"confusion_{classifier}.png", classifier
            )
        )
        paths.append(plot_tsne(records, output / f"tsne_{classifier}.png", classifier))
    first_per_mode = {}
    for classifier in dict.fromkeys(results["classifier"]):
        first_per_mode.setdefault(CLASSIFIERS[classifier].mode, classifier)
    for mode, classifier in first_per_mode.items():
        suffix = "_image" if mode == "image" else ""
        generated = results[results["classifier"] == classifier]
        if np.isfinite(generated["pcc"].astype(float)).any():
            paths.append(
                plot_generation_vs_br(
                    generated, output / f"generation_vs_br{suffix}.png"
                )
            )
        for record in _hardest(records, classifier):
            if record["extras"].get("examples"):
                paths.append(
                    plot_gallery(
                        record,
                        output / f"gallery_{record['row']['method']}{suffix}.png",
                    )
                )
    return [p for p in paths if p is not None]

"""What a benchmark cell measures: classification scores and generation quality."""

import numpy as np

__all__ = [
    "classification_metrics",
    "generation_metrics",
    "features_of",
    "tsne_embedding",
]


def classification_metrics(y_true, y_pred, labels):
    """Accuracy, macro F1, G-mean and per-class recall of one test set.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : array-like
        Every class, in the order of the confusion matrix.

    Returns
    -------
    scores : dict
        ``accuracy``, ``macro_f1``, ``g_mean`` (geometric mean of the
        per-class recalls, :func:`deepsmote_sk.metrics.g_mean`)
        and ``recall_<class>`` for each class.
    confusion : ndarray of shape (n_classes, n_classes)
        Rows are true classes, columns predicted classes.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score

    from ..metrics import g_mean

    labels = list(labels)
    recalls = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    scores = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "g_mean": float(g_mean(y_true, y_pred, labels=labels)),
    }
    scores.update({f"recall_{label}": float(r) for label, r in zip(labels, recalls)})
    return scores, confusion_matrix(y_true, y_pred, labels=labels)


def _images(X, mode):
    """Rows as scalogram images flattened to vectors with values in [0, 1]."""
    if mode == "image":
        return np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    from ..wavelets import scalogram

    return np.asarray(
        scalogram(np.asarray(X, dtype=np.float64)), dtype=np.float64
    ).reshape(len(X), -1)


def generation_metrics(X_syn, y_syn, X_real, y_real, reference, *, mode="signal"):
    """Quality of synthetic rows: PCC, G_acc, KL and JS divergence.

    All four compare synthetic rows with *real* rows of the same class; the
    real rows are a fixed pool of training windows of each class (not the
    test set), drawn from balanced real data.

    Parameters
    ----------
    X_syn, y_syn : ndarray
        The synthetic rows (what a sampler appended) and their classes.
    X_real, y_real : ndarray
        The real pool, in the same space as ``X_syn``.
    reference : classifier
        Fitted on balanced real data; judges G_acc. Never the generator's
        own head.
    mode : {"signal", "image"}
        ``"signal"`` rows are windows, compared through their scalograms;
        ``"image"`` rows are already flattened scalogram images.

    Returns
    -------
    dict
        ``pcc``, ``g_acc``, ``kl``, ``js``.

    Notes
    -----
    Every metric is computed on scalogram images, as in the paper, which
    scores its generators on grayscale time-frequency maps: in signal mode
    each window becomes the package's scalogram
    (:func:`deepsmote_sk.wavelets.scalogram`: complex Morlet ``cmor1.5-1.0``, 32
    scales, 32x32 magnitude image scaled to [0, 1] per sample, the
    representation DSEASMOTE's filter compares); in image mode the rows are
    such images already.

    * **PCC**: for each synthetic row, the Pearson correlation between its
      image and the most correlated real image of its class (its nearest
      real neighbour, :func:`deepsmote_sk.metrics.pearson_correlation`); the
      mean over all synthetic rows. 1 means every synthetic image copies a
      real one up to scale and offset.
    * **G_acc** (paper Eq. 9, :func:`deepsmote_sk.metrics.generation_accuracy`):
      the share of synthetic rows that the reference classifier assigns to
      the class they were generated for.
    * **KL** and **JS**: for each class, ``P`` is the histogram of the pixel
      intensities of all real images of the class and ``Q`` that of all its
      synthetic images (100 equal bins over their common range, see
      :func:`deepsmote_sk.metrics.kl_divergence`). ``KL = KL(P || Q)`` in
      bits (0 to infinity); ``JS`` the Jensen-Shannon divergence in bits (0
      to 1, the range the paper quotes). Both are averaged over the classes
      that received synthetic rows. They compare the *distribution of energy
      levels* in the images, not whole images: low values mean the
      synthetic maps have the real ones' mix of quiet and energetic
      time-frequency cells.
    """
    from ..metrics import (
        generation_accuracy,
        js_divergence,
        kl_divergence,
        pearson_correlation,
    )

    y_syn = np.asarray(y_syn)
    y_real = np.asarray(y_real)
    g_acc = generation_accuracy(reference, X_syn, y_syn)
    syn_images = _images(X_syn, mode)
    real_images = _images(X_real, mode)
    pcc, kls, jss = [], [], []
    for label in np.unique(y_syn):
        syn = syn_images[y_syn == label]
        real = real_images[y_real == label]
        if not len(real):
            continue
        pcc.append(pearson_correlation(syn, real, pairwise=True).max(axis=1))
        kls.append(kl_divergence(real, syn))
        jss.append(js_divergence(real, syn))
    return {
        "pcc": float(np.mean(np.concatenate(pcc))) if pcc else np.nan,
        "g_acc": g_acc,
        "kl": float(np.mean(kls)) if kls else np.nan,
        "js": float(np.mean(jss)) if jss else np.nan,
    }


def features_of(classifier, X):
    """Penultimate features of a fitted torch classifier.

    The features are the input of the network's last linear layer.

    Falls back to the predicted probabilities when the network has no
    linear layer (or calls it more than once per row), and to the decision
    function for an estimator without a torch module (MiniRocket + ridge).
    """
    import torch

    if not hasattr(classifier, "module_"):
        return np.asarray(classifier.decision_function(X)).reshape(len(X), -1)
    linears = [
        m for m in classifier.module_.modules() if isinstance(m, torch.nn.Linear)
    ]
    if not linears:
        return classifier.predict_proba(X)
    captured = []
    handle = linears[-1].register_forward_pre_hook(
        lambda module, args: captured.append(
            args[0].detach().reshape(len(args[0]), -1).double().cpu().numpy()
        )
    )
    try:
        proba = classifier.predict_proba(X)
    finally:
        handle.remove()
    features = np.concatenate(captured) if captured else proba
    return features if len(features) == len(X) else proba


def tsne_embedding(features, random_state=0):
    """2-D t-SNE of standardised features (PCA initialisation)."""
    from sklearn.manifold import TSNE
    from sklearn.preprocessing import StandardScaler

    features = StandardScaler().fit_transform(np.asarray(features, dtype=np.float64))
    perplexity = float(min(30.0, max(2.0, (len(features) - 1) / 3)))
    return TSNE(
        n_components=2,
        init="pca",
        perplexity=perplexity,
        max_iter=500,
        random_state=random_state,
    ).fit_transform(features)

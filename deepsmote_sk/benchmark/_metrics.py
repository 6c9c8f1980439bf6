"""What a benchmark cell measures: classification scores and generation quality."""

import numpy as np

__all__ = [
    "classification_metrics",
    "generation_metrics",
    "two_sample_accuracy",
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


#: Largest number of rows of each side (real, synthetic) a class's two-sample
#: test uses.
_C2ST_ROWS = 200


def two_sample_accuracy(
    X_syn,
    y_syn,
    X_real,
    y_real,
    *,
    mode="signal",
    image_shape=None,
    n_splits=5,
    random_state=0,
):
    """Classifier two-sample test: can a classifier tell synthetic rows from real ones?

    For each class that received synthetic rows, up to 200 of them and as
    many real rows of the class (drawn with replacement when the class has
    fewer) are labelled "synthetic" and "real"; a logistic regression on
    standardised, *shift-invariant* features learns to tell them apart, and
    its held-out accuracy in stratified ``n_splits``-fold cross-validation
    is the class's score. The result is the mean over the classes.

    The benchmark passes the real rows the method was given, so the test
    asks whether the synthetic windows differ from the windows they were
    made from in anything but their phase: 0.5 means they cannot be told
    apart (new phases of the real windows score 0.5 by construction); near
    1.0 means every synthetic row gives itself away, by a decoder artefact,
    a DC offset, the wrong scale, or impulses blurred by interpolation,
    which a downstream classifier can learn instead of the fault
    (Lopez-Paz and Oquab, 2017). It does not reward diversity: a method
    that copies its real rows scores 0.5 too.

    Parameters
    ----------
    X_syn, y_syn : ndarray
        Synthetic rows and their classes.
    X_real, y_real : ndarray
        Real rows, in the same space.
    mode : {"signal", "image"}
        ``"signal"``: the features of a window are its log power spectrum
        after division by its peak, the log of its peak, and its mean,
        standard deviation (both relative to the peak) and kurtosis, all
        unchanged by a circular shift. ``"image"`` (flattened scales x time
        images): the mean and the standard deviation over time of each
        scale.
    image_shape : tuple of (int, int), optional
        ``(scales, time)`` of the images in image mode (None: square).
    n_splits : int, default=5
    random_state : int, default=0
        Seeds the subsampling and the folds.

    Returns
    -------
    float
        Mean held-out accuracy over the classes (NaN when no class has at
        least ``n_splits`` synthetic rows).

    References
    ----------
    .. [1] D. Lopez-Paz and M. Oquab, "Revisiting classifier two-sample
       tests", ICLR 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.benchmark import two_sample_accuracy
    >>> rng = np.random.RandomState(0)
    >>> real, y = rng.randn(100, 64), np.zeros(100)
    >>> two_sample_accuracy(rng.randn(100, 64), y, real, y) < 0.65  # alike
    True
    >>> two_sample_accuracy(rng.randn(100, 64) + 0.5, y, real, y) > 0.9  # offset
    True
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_syn, X_real = np.asarray(X_syn), np.asarray(X_real)
    y_syn, y_real = np.asarray(y_syn), np.asarray(y_real)
    rng = np.random.RandomState(random_state)
    scores = []
    if mode == "image" and image_shape is None:
        side = int(round(np.sqrt(X_syn.shape[1])))
        image_shape = (side, side)
    image_shape = None if mode == "signal" else tuple(image_shape)
    for label in np.unique(y_syn):
        syn = np.flatnonzero(y_syn == label)
        real = np.flatnonzero(y_real == label)
        n = min(len(syn), _C2ST_ROWS)
        if n < n_splits or not len(real):
            continue
        X = np.concatenate(
            [
                _c2st_features(
                    X_real[rng.choice(real, n, replace=len(real) < n)], image_shape
                ),
                _c2st_features(X_syn[rng.choice(syn, n, replace=False)], image_shape),
            ]
        )
        y = np.repeat([0, 1], n)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
        scores.append(np.mean(cross_val_score(model, X, y, cv=folds)))
    return float(np.mean(scores)) if scores else np.nan


def _c2st_features(X, image_shape=None):
    """Shift-invariant features of the two-sample test (see :func:`two_sample_accuracy`).

    Windows when ``image_shape`` is None, else flattened (scales, time) images.
    """
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    if image_shape is not None:
        images = X.reshape(len(X), *image_shape)  # (n, scales, time)
        return np.column_stack([images.mean(axis=2), images.std(axis=2)])
    peak = np.max(np.abs(X), axis=1, keepdims=True)
    peak = np.where(peak > 0, peak, 1.0)
    X = X / peak  # every value in [-1, 1]: nothing below overflows
    power = np.abs(np.fft.rfft(X, axis=1)) ** 2 / X.shape[1]  # (n, L // 2 + 1)
    mean = X.mean(axis=1, keepdims=True)
    std = np.sqrt(np.mean((X - mean) ** 2, axis=1, keepdims=True))
    kurtosis = np.mean((X - mean) ** 4, axis=1, keepdims=True) / np.maximum(
        std**4, 1e-300
    )
    return np.column_stack(
        [np.log10(power + 1e-12), np.log10(peak), mean, std, kurtosis]
    )


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

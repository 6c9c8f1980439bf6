"""Small 2-D CNN or VGG for scalogram images (DSEA-SMOTE's downstream classifiers)."""

import math
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ._base import BaseTorchClassifier

__all__ = ["ScalogramCNN", "ScalogramCNNClassifier"]

#: Feature extractors: output channels of 3x3 convolutions, "M" a 2x2 max-pooling.
ARCHITECTURES = {
    "small": (16, "M", 32, "M", 64, "M"),
    "vgg11": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg13": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    # fmt: off
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
              512, 512, 512, "M", 512, 512, 512, "M"),
    # fmt: on
}


class ScalogramCNN(nn.Module):
    """2-D CNN on one-channel images: 3x3 conv-BN-ReLU blocks, pooling, 2 linear layers.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` of the images.
    n_classes : int
        Number of logits.
    architecture : {"small", "vgg11", "vgg13", "vgg16"}, default="small"
        Layer configuration, see ``ARCHITECTURES``.
    width : float, default=1.0
        Multiplier of the channel counts.
    n_hidden : int, default=128
        Units of the hidden linear layer.

    Attributes
    ----------
    output_shape : tuple of int
        ``(height, width)`` of the last feature map.

    Notes
    -----
    A pooling halves only the axes that are at least 2 pixels long, so every
    configuration accepts any image size down to 1x1 (a VGG's five poolings
    take a 32x32 scalogram to 1x1).

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._scalogram_cnn import ScalogramCNN
    >>> net = ScalogramCNN((32, 32), 10, architecture="vgg11", width=0.125)
    >>> net.output_shape
    (1, 1)
    >>> net(torch.zeros(2, 32 * 32)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self, image_shape, n_classes, *, architecture="small", width=1.0, n_hidden=128
    ):
        super().__init__()
        height, width_px = self.image_shape = tuple(int(s) for s in image_shape)
        layers, in_channels = [], 1
        for item in ARCHITECTURES[architecture]:
            if item == "M":
                kernel = (2 if height >= 2 else 1, 2 if width_px >= 2 else 1)
                if kernel != (1, 1):
                    layers.append(nn.MaxPool2d(kernel))
                    height, width_px = height // kernel[0], width_px // kernel[1]
            else:
                out_channels = max(1, int(round(item * width)))
                layers += [
                    nn.Conv2d(in_channels, out_channels, 3, padding=1),
                    nn.BatchNorm2d(out_channels),
                    nn.ReLU(),
                ]
                in_channels = out_channels
        self.convolutions = nn.Sequential(*layers)
        self.output_shape = (height, width_px)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_channels * height * width_px, n_hidden),
            nn.ReLU(),
            nn.Linear(n_hidden, n_classes),
        )

    def forward(self, x):
        """Logits ``(batch, n_classes)`` of images ``(batch, height * width)``."""
        x = x.reshape(x.shape[0], 1, *self.image_shape)  # (batch, 1, height, width)
        x = self.convolutions(x)  # (batch, channels, *output_shape)
        return self.classifier(x)


class ScalogramCNNClassifier(BaseTorchClassifier):
    """2-D CNN classifier for image-mode data, e.g. CWT scalograms.

    Each row of ``X`` is one grayscale image flattened in row-major (C)
    order, as :class:`~deepsmote_sk.CWTTransformer` and ``DSEASMOTE`` in
    image mode produce it. The DSEA-SMOTE paper evaluates its oversampler
    with a simple 3-layer CNN and with VGG-11, VGG-13 and VGG-16 on 32x32
    scalograms; ``architecture`` selects among these.

    Parameters
    ----------
    image_shape : tuple (height, width) or None, default=None
        Shape of the images. ``None`` means square images of side
        ``sqrt(n_features)``; one entry may be -1 and is then inferred
        from the number of features (``(1, -1)`` treats each row as a
        one-pixel-high image).
    architecture : {"small", "vgg11", "vgg13", "vgg16"}, default="small"
        ``"small"``: three 3x3 convolution blocks of 16, 32 and 64 channels,
        each followed by a 2x2 max-pooling. ``"vggNN"``: the VGG
        configurations (64 to 512 channels) with batch normalisation.
    width : float, default=1.0
        Multiplier of the channel counts (e.g. 0.25 for a VGG on a CPU).
    n_hidden : int, default=128
        Units of the hidden linear layer before the output layer.
    max_epochs : int, default=50
        Number of passes over the training data.
    max_steps : int or None, default=None
        Train for this many mini-batches instead of ``max_epochs`` epochs,
        whatever the number of rows (the budget for comparing resampled sets
        of different sizes).
    batch_size : int, default=64
        Mini-batch size for training and prediction.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty.
    class_weight : dict, "balanced" or None, default=None
        Class weights of the cross-entropy.
    early_stopping : bool, default=False
        Stop on the accuracy of a held-out ``validation_fraction``.
    validation_fraction : float, default=0.1
        Share held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest validation improvement that counts.
    device : str or torch.device, default="auto"
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    random_state : int, RandomState instance or None, default=None
        Seed of initialisation, batch order and validation split.
    verbose : bool or int, default=False
        Show a tqdm progress bar.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Pixels per image seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a DataFrame input with string column names.
    image_shape_ : tuple of int
        ``(height, width)`` of the images.
    module_ : ScalogramCNN
        The trained network.
    class_weight_ : ndarray of shape (n_classes,)
        Weight of each class in the loss.
    loss_curve_ : list of float
        Mean training loss per epoch.
    history_ : list of dict
        Per-epoch records of the training loop.
    n_iter_ : int
        Epochs run.
    n_steps_ : int
        Optimisation steps run.
    validation_scores_ : list of float
        Validation accuracy per epoch (early stopping only).
    best_validation_score_ : float
        Best validation accuracy (early stopping only).

    See Also
    --------
    deepsmote_sk.CWTTransformer : Signals to flattened scalogram images.
    WDCNNClassifier : 1-D CNN on the raw signals.

    Notes
    -----
    The paper does not give the layers of its "simple 3-layer CNN"; the
    ``"small"`` configuration is our reading (three conv-BN-ReLU-pool
    blocks). The VGGs follow Simonyan and Zisserman's configurations A, B
    and D with batch normalisation and, as is usual for 32x32 inputs, a
    small classifier head (``n_hidden`` units) instead of two 4096-unit
    layers. Poolings skip axes shorter than 2 pixels, so any image size
    works.

    References
    ----------
    .. [1] K. Simonyan and A. Zisserman, "Very deep convolutional networks
       for large-scale image recognition", ICLR 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.classifiers import ScalogramCNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> images = rng.rand(40, 8, 8)
    >>> images[20:, :4] += 1.0  # class "b": brighter upper half
    >>> X, y = images.reshape(40, -1), np.repeat(["a", "b"], 20)
    >>> clf = ScalogramCNNClassifier(width=0.25, max_epochs=10, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.image_shape_
    (8, 8)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseTorchClassifier._parameter_constraints,
        "image_shape": [None, tuple, list],
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "width": [Interval(Real, 0, None, closed="neither")],
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        image_shape=None,
        architecture="small",
        width=1.0,
        n_hidden=128,
        max_epochs=50,
        max_steps=None,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="auto",
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            max_epochs=max_epochs,
            max_steps=max_steps,
            batch_size=batch_size,
            lr=lr,
            weight_decay=weight_decay,
            class_weight=class_weight,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            device=device,
            random_state=random_state,
            verbose=verbose,
        )
        self.image_shape = image_shape
        self.architecture = architecture
        self.width = width
        self.n_hidden = n_hidden

    def _build_module(self, n_features, n_classes):
        self.image_shape_ = _resolve_image_shape(self.image_shape, n_features)
        return ScalogramCNN(
            self.image_shape_,
            n_classes,
            architecture=self.architecture,
            width=self.width,
            n_hidden=self.n_hidden,
        )


def _resolve_image_shape(image_shape, n_features):
    """``(height, width)`` of images of ``n_features`` pixels, or a clear ValueError."""
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"image_shape=None expects square images, but X has {n_features} "
                "features, which is not a perfect square; pass "
                "image_shape=(height, width)."
            )
        return (side, side)
    shape = tuple(image_shape)
    valid = len(shape) == 2 and all(
        isinstance(s, Integral) and not isinstance(s, bool) and (s >= 1 or s == -1)
        for s in shape
    )
    if not valid or shape == (-1, -1):
        raise ValueError(
            "image_shape must be None or (height, width) with positive integers, "
            f"one of which may be -1; got {image_shape!r}."
        )
    if -1 in shape:
        known = shape[0] if shape[1] == -1 else shape[1]
        other = n_features // known
        shape = (known, other) if shape[1] == -1 else (other, known)
    if shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} does not fit X with {n_features} "
            "features (height * width must equal n_features)."
        )
    return shape

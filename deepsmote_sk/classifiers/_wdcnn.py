"""WDCNN: deep CNN with wide first-layer kernels (Zhang et al., 2017)."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import BaseTorchClassifier

__all__ = ["WDCNN", "WDCNNClassifier"]

#: Output channels of the wide first layer and of the four 3-sample blocks.
_CHANNELS = (16, 32, 64, 64, 64)


def _scaled(channels, width):
    return max(1, int(round(channels * width)))


class WDCNN(nn.Module):
    """Deep CNN with a wide first-layer kernel (WDCNN) for raw vibration signals.

    A wide first convolution (kernel 64, stride 16 for signals of 64 samples
    or more) suppresses high-frequency noise and shortens the signal; four
    blocks of 3-sample convolutions follow, each with batch normalisation,
    ReLU and max-pooling by 2; a fully connected layer of ``n_hidden`` units
    (with batch normalisation and ReLU) gives the features and a linear layer
    the logits.

    Parameters
    ----------
    input_length : int
        Number of samples of each input signal (any length >= ``min_length``).
    n_classes : int
        Number of logits.
    width : float, default=1.0
        Multiplier of the channel counts (16, 32, 64, 64, 64 in the paper).
    n_hidden : int, default=100
        Units of the fully connected layer, i.e. ``n_features_out``.

    Attributes
    ----------
    min_length : int
        Shortest accepted signal (1: the net adapts to short signals).
    n_features_out : int
        Dimension of :meth:`features`.
    output_length : int
        Length of the feature maps after the last block.

    Notes
    -----
    The paper's layer table is for 2048-sample signals. To accept every
    length the net is sized at construction: the first kernel is
    ``k = min(64, input_length)`` with stride ``max(1, min(16, k // 4))``
    and padding ``(k - stride) // 2`` (64, 16 and 24 as in the paper for
    long signals), and a max-pooling is only applied while the feature map
    is at least 2 samples long. All 3-sample convolutions are padded by 1
    (the paper leaves the last one unpadded), so a 2048-sample signal ends
    in 4 rather than 3 positions.

    References
    ----------
    .. [1] W. Zhang, G. Peng, C. Li, Y. Chen and Z. Zhang, "A new deep
       learning model for fault diagnosis with good anti-noise and domain
       adaptation ability on raw vibration signals", Sensors 17(2), 425, 2017.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._wdcnn import WDCNN
    >>> net = WDCNN(2048, 10)
    >>> net.output_length, net.n_features_out
    (4, 100)
    >>> net(torch.zeros(3, 2048)).shape
    torch.Size([3, 10])
    """

    min_length = 1

    def __init__(self, input_length, n_classes, *, width=1.0, n_hidden=100):
        super().__init__()
        if input_length < self.min_length:
            raise ValueError(
                f"WDCNN needs signals of at least {self.min_length} sample(s); "
                f"got {input_length}."
            )
        channels = [_scaled(c, width) for c in _CHANNELS]
        kernel = min(64, input_length)
        stride = max(1, min(16, kernel // 4))
        padding = (kernel - stride) // 2
        length = (input_length + 2 * padding - kernel) // stride + 1
        layers, in_channels = [], 1
        for i, out_channels in enumerate(channels):
            if i == 0:
                layers.append(
                    nn.Conv1d(
                        in_channels,
                        out_channels,
                        kernel,
                        stride=stride,
                        padding=padding,
                    )
                )
            else:
                layers.append(nn.Conv1d(in_channels, out_channels, 3, padding=1))
            layers += [nn.BatchNorm1d(out_channels), nn.ReLU()]
            if length >= 2:
                layers.append(nn.MaxPool1d(2))
                length //= 2
            in_channels = out_channels
        self.convolutions = nn.Sequential(*layers)
        self.output_length = length
        self.n_features_out = int(n_hidden)
        self.fully_connected = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_channels * length, self.n_features_out),
            nn.BatchNorm1d(self.n_features_out),
            nn.ReLU(),
        )
        self.classifier = nn.Linear(self.n_features_out, n_classes)

    def features(self, x):
        """Features ``(batch, n_features_out)`` of signals ``(batch, [1,] L)``."""
        if x.dim() == 2:
            x = x.unsqueeze(1)  # (batch, 1, time)
        x = self.convolutions(x)  # (batch, channels, output_length)
        return self.fully_connected(x)  # (batch, n_features_out)

    def forward(self, x):
        """Logits ``(batch, n_classes)``."""
        return self.classifier(self.features(x))


class WDCNNClassifier(BaseTorchClassifier):
    """WDCNN fault classifier for raw vibration signals (the plain 1-D baseline).

    Parameters
    ----------
    width : float, default=1.0
        Multiplier of the channel counts (16, 32, 64, 64, 64).
    n_hidden : int, default=100
        Units of the fully connected layer.
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
        Signal length seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a DataFrame input with string column names.
    module_ : WDCNN
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
    ClassBDClassifier : WDCNN behind learnable blind-deconvolution filters.
    ScalogramCNNClassifier : 2-D CNN on CWT scalograms.

    Notes
    -----
    The network is :class:`WDCNN`, sized from the signal length at fit time
    (see its Notes for short signals). Training minimises the (class
    weighted) cross-entropy with Adam; see :class:`BaseTorchClassifier` for
    the shared training, early stopping and pickling behaviour.

    References
    ----------
    .. [1] W. Zhang, G. Peng, C. Li, Y. Chen and Z. Zhang, "A new deep
       learning model for fault diagnosis with good anti-noise and domain
       adaptation ability on raw vibration signals", Sensors 17(2), 425, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.classifiers import WDCNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> t = np.arange(128)
    >>> X = np.vstack([np.sin(0.1 * t) + 0.3 * rng.randn(20, 128),
    ...                np.sin(0.9 * t) + 0.3 * rng.randn(20, 128)])
    >>> y = np.repeat(["inner", "outer"], 20)
    >>> clf = WDCNNClassifier(width=0.25, max_epochs=20, batch_size=8, random_state=0)
    >>> clf = clf.fit(X, y)
    >>> clf.predict(X[[0, -1]])
    array(['inner', 'outer'], dtype='<U5')
    """

    _parameter_constraints: dict = {
        **BaseTorchClassifier._parameter_constraints,
        "width": [Interval(Real, 0, None, closed="neither")],
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        width=1.0,
        n_hidden=100,
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
        self.width = width
        self.n_hidden = n_hidden

    def _min_length(self):
        return WDCNN.min_length

    def _build_module(self, n_features, n_classes):
        return WDCNN(n_features, n_classes, width=self.width, n_hidden=self.n_hidden)

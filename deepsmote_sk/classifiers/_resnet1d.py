"""A small 1-D residual network, the second backbone of ClassBD."""

from torch import nn

__all__ = ["ResidualBlock1d", "ResNet1D"]

#: Channels of the stem and of the three residual stages.
_CHANNELS = (16, 32, 64)


class ResidualBlock1d(nn.Module):
    """Basic residual block (He et al., 2016) with 1-D convolutions.

    Two 3-sample convolutions with batch normalisation; the shortcut is a
    strided 1-sample convolution when the block changes the channel count or
    the length.

    Parameters
    ----------
    in_channels, out_channels : int
    stride : int, default=1
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(
                in_channels, out_channels, 3, stride=stride, padding=1, bias=False
            ),
            nn.BatchNorm1d(out_channels),
            nn.ReLU(),
            nn.Conv1d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm1d(out_channels),
        )
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv1d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm1d(out_channels),
            )
        self.activation = nn.ReLU()

    def forward(self, x):
        return self.activation(self.body(x) + self.shortcut(x))


class ResNet1D(nn.Module):
    """A small 1-D ResNet for raw signals: stem, three residual stages, global pooling.

    One of the backbones the ClassBD paper plugs behind its filters
    (Sec. 5.3 uses ResNet-18; this is a lighter cousin with one basic block
    per stage, sized for CPU training).

    Parameters
    ----------
    input_length : int
        Number of samples of each signal. The strides of the stem (2, from
        64 samples on) and of the stages (2) shrink the map, never below one
        sample, and the global average pooling accepts every length.
    n_classes : int
    width : float, default=1.0
        Multiplier of the channel counts (16, 32, 64).

    Attributes
    ----------
    min_length : int
        Shortest accepted signal (1).
    n_features_out : int
        Dimension of :meth:`features`.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for
       image recognition", CVPR 2016.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.classifiers._resnet1d import ResNet1D
    >>> ResNet1D(1024, 10)(torch.zeros(2, 1024)).shape
    torch.Size([2, 10])
    """

    min_length = 1

    def __init__(self, input_length, n_classes, *, width=1.0):
        super().__init__()
        if input_length < self.min_length:
            raise ValueError(
                f"ResNet1D needs signals of at least 1 sample; got {input_length}."
            )
        channels = [max(1, int(round(c * width))) for c in _CHANNELS]
        stem_stride = 2 if input_length >= 64 else 1
        self.stem = nn.Sequential(
            nn.Conv1d(1, channels[0], 15, stride=stem_stride, padding=7, bias=False),
            nn.BatchNorm1d(channels[0]),
            nn.ReLU(),
        )
        stages, in_channels = [], channels[0]
        for i, out_channels in enumerate(channels):
            stages.append(
                ResidualBlock1d(in_channels, out_channels, stride=1 if i == 0 else 2)
            )
            in_channels = out_channels
        self.stages = nn.Sequential(*stages)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.n_features_out = in_channels
        self.classifier = nn.Linear(in_channels, n_classes)

    def features(self, x):
        """Features ``(batch, n_features_out)`` of signals ``(batch, [1,] L)``."""
        if x.dim() == 2:
            x = x.unsqueeze(1)  # (batch, 1, time)
        x = self.stages(self.stem(x))  # (batch, channels, time')
        return self.pool(x)  # (batch, channels)

    def forward(self, x):
        """Logits ``(batch, n_classes)``."""
        return self.classifier(self.features(x))

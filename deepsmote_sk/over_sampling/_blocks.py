"""Building blocks shared by the encoder, the decoder and the AFC.

Every network of DSEA-SMOTE works on 2-D feature maps ``(batch, channels,
H, W)``. A *stem* turns the input rows into such a map, strided convolution
*levels* shrink it, and a *head* turns the decoder's last map back into rows.

* Signal mode: ``H`` is the frequency axis of the scalogram (one row when
  the CWT front end is off) and ``W`` the time axis.
* Image mode: ``H x W`` is the image.
"""

import math

import torch.nn.functional as F
from torch import nn

__all__ = [
    "SignalStem",
    "ImageStem",
    "SignalHead",
    "ImageHead",
    "ConvLevel",
    "halve",
    "level_sizes",
]

#: An axis is halved by a level only while it has at least this many cells,
#: so maps never shrink below 4 cells per axis (or the size they start at).
_MIN_STRIDED_SIZE = 8


def halve(size):
    """Size after one strided step: each axis of at least 8 cells is halved."""
    return tuple(math.ceil(s / 2) if s >= _MIN_STRIDED_SIZE else s for s in size)


def level_sizes(size, n_levels):
    """Map sizes ``[(H0, W0), (H1, W1), ...]`` before and after each strided level."""
    sizes = [tuple(size)]
    for _ in range(n_levels):
        sizes.append(halve(sizes[-1]))
    return sizes


def _strides(size_in, size_out):
    return tuple(2 if o < i else 1 for i, o in zip(size_in, size_out))


def _norm(channels):
    # One group: per-sample normalisation, independent of the batch, so a
    # batch of one sample (a class of one) trains like any other.
    return nn.GroupNorm(1, channels)


class ConvLevel(nn.Module):
    """3x3 convolution, stride 2 along each axis that is still large, norm, GELU."""

    def __init__(self, in_channels, out_channels, size_in, size_out):
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, 3, stride=_strides(size_in, size_out), padding=1
        )
        self.norm = _norm(out_channels)

    def forward(self, x):
        return F.gelu(self.norm(self.conv(x)))


class SignalStem(nn.Module):
    """Feature map of a batch of signals: time branch plus scalogram branch.

    The scalogram branch is a strided 3x3 convolution of the
    ``(n_scales, width)`` scalogram image, which gives a map of half its
    size (axes of fewer than 8 cells are kept). The time branch cuts the
    signal into as many patches as the map has columns (``patch`` samples
    each, zero-padded at the end) and embeds each patch linearly, so the map
    keeps the waveform's phase and amplitude, which a per-sample [0, 1]
    scalogram does not hold; the patch embedding is added to every
    frequency row. Each column's embedding reads a window of two patches
    centred on its own (half a patch of overlap on each side), so that the
    decoder's mirror image, an overlap-add, has no seams at patch borders.
    Without a scalogram the map has one row.

    Parameters
    ----------
    length : int
        Signal length ``L``.
    image_size : (int, int)
        ``(n_scales, width)`` of the scalogram, ``width <= L``; ``(1, width)``
        without scalogram.
    channels : int
        Channels of the map.
    use_scalogram : bool
        Whether a scalogram image comes with the signal.
    """

    def __init__(self, length, image_size, channels, use_scalogram):
        super().__init__()
        self.size = halve(image_size)
        width = self.size[1]
        self.patch = math.ceil(length / width)
        # Left: half a patch of context; right: the rest of the last patch
        # and the other half, so there are exactly ``width`` windows.
        self.pad = (
            self.patch // 2,
            width * self.patch - length + self.patch - self.patch // 2,
        )
        self.time = nn.Conv1d(
            1, channels, kernel_size=2 * self.patch, stride=self.patch
        )
        self.tf = (
            nn.Conv2d(1, channels, 3, stride=_strides(image_size, self.size), padding=1)
            if use_scalogram
            else None
        )
        self.norm = _norm(channels)

    def forward(self, x, image=None):
        t = self.time(F.pad(x[:, None], self.pad))  # (batch, channels, W)
        h = t[:, :, None]  # (batch, channels, 1, W)
        if self.tf is not None:
            h = self.tf(image[:, None]) + h  # (batch, channels, H, W)
        return F.gelu(self.norm(h))


class ImageStem(nn.Module):
    """Feature map, at half resolution, of flattened images ``(batch, C*H*W)``."""

    def __init__(self, image_shape, channels):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.size = halve(self.image_shape[1:])
        self.conv = nn.Conv2d(
            self.image_shape[0],
            channels,
            3,
            stride=_strides(self.image_shape[1:], self.size),
            padding=1,
        )
        self.norm = _norm(channels)

    def forward(self, x, image=None):
        x = x.reshape(x.shape[0], *self.image_shape)  # (batch, C, H, W)
        return F.gelu(self.norm(self.conv(x)))


class SignalHead(nn.Module):
    """Signal of length ``L`` from the decoder's last map (undoes :class:`SignalStem`).

    The frequency rows are folded into the channels and mixed by a 1x1
    convolution (a learned synthesis across scales); a transposed
    convolution with kernel ``2 patch`` and stride ``patch`` then writes
    each time cell's window of two patches, overlapping its neighbours by
    half a patch on each side (overlap-add), and the padding is cut off.
    """

    def __init__(self, length, height, channels, patch):
        super().__init__()
        self.length = int(length)
        self.offset = patch // 2
        self.mix = nn.Conv1d(channels * height, channels, 1)
        self.unpatch = nn.ConvTranspose1d(
            channels, 1, kernel_size=2 * patch, stride=patch
        )

    def forward(self, h):
        b, c, height, width = h.shape
        t = F.gelu(self.mix(h.reshape(b, c * height, width)))  # (batch, channels, W)
        out = self.unpatch(t)[:, 0]  # (batch, (W + 1) * patch)
        return out[:, self.offset : self.offset + self.length]  # (batch, L)


class ImageHead(nn.Module):
    """Flattened images from the decoder's last map: resize, then 3x3 convolution."""

    def __init__(self, image_shape, channels):
        super().__init__()
        self.size = tuple(image_shape[1:])
        self.conv = nn.Conv2d(channels, image_shape[0], 3, padding=1)

    def forward(self, h):
        h = F.interpolate(h, size=self.size, mode="nearest")  # (batch, channels, H, W)
        return self.conv(h).flatten(1)  # (batch, C*H*W)

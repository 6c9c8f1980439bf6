"""The DSEA-SMOTE generator: CWT front end, encoder, SEA blocks, decoder, AFC.

Sec. III-B of the paper: the encoder reads the CWT feature map, the SEA
module refines the encoder's tensor, the decoder maps it back and the AFC
classifies what the decoder produced. New samples come from SMOTE between
the encoder's latent codes (see ``_latent_smote.py``).
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..wavelets import scalogram
from ._afc import AuxiliaryFeatureClassifier
from ._blocks import (
    ConvLevel,
    ImageHead,
    ImageStem,
    SignalHead,
    SignalStem,
    level_sizes,
)
from ._sea import SqueezeAxialAttention

__all__ = ["Encoder", "Decoder", "DSEAGenerator"]


class Encoder(nn.Module):
    """Encoder (Sec. III-B, step 2-3): stem, strided levels, SEA block, latent code.

    Parameters
    ----------
    stem : nn.Module
        Input rows (and scalogram) to a map of ``channels[0]`` channels and
        size ``stem.size``.
    channels : sequence of int
        Channels of the stem, then of each strided level.
    latent_dim : int
        Size of the latent code.
    n_heads : int
        Heads of the SEA block.
    use_sea : bool
        Whether to apply the SEA block (False: ablation M1).
    """

    def __init__(self, stem, channels, latent_dim, n_heads, use_sea):
        super().__init__()
        self.stem = stem
        self.sizes = level_sizes(stem.size, len(channels) - 1)
        self.levels = nn.Sequential(
            *(
                ConvLevel(
                    channels[n], channels[n + 1], self.sizes[n], self.sizes[n + 1]
                )
                for n in range(len(channels) - 1)
            )
        )
        h, w = self.sizes[-1]
        self.sea = (
            SqueezeAxialAttention(channels[-1], h, w, n_heads) if use_sea else None
        )
        self.to_latent = nn.Linear(channels[-1] * h * w, latent_dim)

    def forward(self, x, image=None):
        h = self.levels(self.stem(x, image))  # (batch, C, h, w)
        if self.sea is not None:
            h = h + self.sea(h)
        return self.to_latent(h.flatten(1))  # (batch, latent_dim)


class Decoder(nn.Module):
    """Decoder (Sec. III-B, step 4): latent code, SEA block, upsampling levels, head.

    The mirror of :class:`Encoder`: each upsampling level resizes the map to
    the size it had at the same depth of the encoder (nearest neighbour) and
    applies a 3x3 convolution, which avoids the checkerboard artefacts of
    strided transposed convolutions; the head maps the stem-sized map back
    to rows.

    Parameters
    ----------
    head : nn.Module
        Map of ``channels[0]`` channels to rows.
    channels : sequence of int
        As for the encoder.
    sizes : list of (int, int)
        The encoder's map sizes (``Encoder.sizes``).
    latent_dim, n_heads, use_sea
        As for the encoder.
    """

    def __init__(self, head, channels, sizes, latent_dim, n_heads, use_sea):
        super().__init__()
        self.head = head
        self.sizes = [tuple(s) for s in sizes]
        self.channels = tuple(channels)
        h, w = self.sizes[-1]
        self.from_latent = nn.Linear(latent_dim, channels[-1] * h * w)
        self.sea = (
            SqueezeAxialAttention(channels[-1], h, w, n_heads) if use_sea else None
        )
        self.ups = nn.ModuleList(
            ConvLevel(channels[n + 1], channels[n], self.sizes[n], self.sizes[n])
            for n in range(len(channels) - 1)
        )

    def forward(self, z):
        h, w = self.sizes[-1]
        x = F.gelu(self.from_latent(z)).reshape(z.shape[0], self.channels[-1], h, w)
        if self.sea is not None:
            x = x + self.sea(x)
        for n in reversed(range(len(self.ups))):
            x = self.ups[n](F.interpolate(x, size=self.sizes[n], mode="nearest"))
        return self.head(x)  # (batch, n_features)


class DSEAGenerator(nn.Module):
    """The whole DSEA-SMOTE network: front end, encoder, decoder and AFC.

    Works on rows in the units of the training data: :meth:`encode` and
    :meth:`decode` standardise and de-standardise with the scalar location
    and scale seen during fit (one scalar, so a signal's shape and its
    scalogram are unchanged). The methods whose name starts with an
    underscore work on standardised rows.

    Parameters
    ----------
    n_features : int
        Signal length ``L`` (signal mode) or ``C*H*W`` (image mode).
    n_classes : int
        Classes of the AFC.
    image_shape : tuple of int or None
        ``(C, H, W)`` in image mode, None in signal mode.
    scales : tuple of float or None
        CWT scales of the scalograms (signal mode only); None when the
        signal is too short for them.
    wavelet : str
        Continuous wavelet of the scalograms.
    use_cwt : bool
        Whether the encoder and the AFC read the scalogram and the
        time-frequency reconstruction loss is used.
    channels : tuple of int
        Channels of the stem, then of each strided level.
    latent_dim : int
        Size of the latent code.
    n_heads : int
        Heads of the SEA blocks.
    image_size : int
        Width (time cells) of the scalogram images, at most the signal
        length; their height is the number of scales.
    use_sea : bool
        SEA blocks in the encoder and the decoder (False: ablation M1).
    use_afc : bool
        Build the AFC (False: ablation M2).
    realism : bool
        Give the AFC the realism head of Eq. 7.
    latent_classes : bool
        Add a linear class head on the latent code (:meth:`latent_logits`),
        whose cross-entropy makes same-class codes neighbours, so that SMOTE
        between neighbours stays in the class.
    judge : bool
        Build an independent classifier with the AFC's architecture
        (:attr:`judge`) for the quality filter. It is not part of the
        generator's training: DSEASMOTE trains it alone, on real rows only.
    loc, scale : float
        Standardisation of the rows.
    """

    def __init__(
        self,
        *,
        n_features,
        n_classes,
        image_shape,
        scales,
        wavelet,
        use_cwt,
        channels,
        latent_dim,
        n_heads,
        image_size,
        use_sea,
        use_afc,
        realism,
        latent_classes=False,
        judge=False,
        loc,
        scale,
    ):
        super().__init__()
        self.n_features = int(n_features)
        self.image_shape = tuple(image_shape) if image_shape is not None else None
        self.scales = tuple(scales) if scales is not None else None
        self.wavelet = wavelet
        self.use_cwt = bool(use_cwt)
        channels = tuple(int(c) for c in channels)
        self.register_buffer("loc", torch.tensor(float(loc)))
        self.register_buffer("scale", torch.tensor(float(scale)))

        if self.image_shape is None:
            height = len(self.scales) if self.use_cwt else 1
            self.map_size = (height, min(int(image_size), self.n_features))

            def stem():
                return SignalStem(
                    self.n_features, self.map_size, channels[0], self.use_cwt
                )

            encoder_stem = stem()
            head = SignalHead(
                self.n_features, encoder_stem.size[0], channels[0], encoder_stem.patch
            )
        else:
            self.map_size = self.image_shape[1:]

            def stem():
                return ImageStem(self.image_shape, channels[0])

            encoder_stem = stem()
            head = ImageHead(self.image_shape, channels[0])
        self.encoder = Encoder(encoder_stem, channels, latent_dim, n_heads, use_sea)
        self.decoder = Decoder(
            head, channels, self.encoder.sizes, latent_dim, n_heads, use_sea
        )
        self.afc = (
            AuxiliaryFeatureClassifier(stem(), channels, n_classes, realism)
            if use_afc
            else None
        )
        self.latent_head = (
            nn.Linear(latent_dim, n_classes) if latent_classes else None
        )
        self.judge = (
            AuxiliaryFeatureClassifier(stem(), channels, n_classes, False)
            if judge
            else None
        )

    def generator_parameters(self):
        """Parameters trained with the generator (everything but the judge)."""
        judge = set(map(id, self.judge.parameters())) if self.judge is not None else set()
        return [p for p in self.parameters() if id(p) not in judge]

    # ------------------------------------------------------------ standardised
    # The methods below work on standardised rows (``(X - loc) / scale``), the
    # units DSEASMOTE trains and generates in.
    def _scalogram(self, x):
        """Scalogram images ``(batch, n_scales, W)`` of standardised signals."""
        return scalogram(
            x,
            self.scales,
            self.wavelet,
            image_size=(len(self.scales), self.map_size[1]),
        )

    def front_end(self, x):
        """The front end's image of ``x`` (standardised rows), or None when the CWT is off."""
        return self._scalogram(x) if self.use_cwt else None

    def quality_view(self, x):
        """Flattened rows on which the filter measures PCC (Eq. 10).

        The scalogram when the signal is long enough to have scales (even
        without the CWT front end: the filter's criterion does not change
        with the model), otherwise the rows themselves (images, short rows).
        """
        if self.image_shape is None and self.scales is not None:
            return self._scalogram(x).flatten(1)
        return x

    def embed(self, x, image=None):
        """Latent codes of standardised rows (``image``: their front-end image)."""
        return self.encoder(x, image if image is not None else self.front_end(x))

    def synthesize(self, z):
        """Standardised rows decoded from latent codes ``z``."""
        return self.decoder(z)

    def latent_logits(self, z):
        """Class logits read from latent codes (needs ``latent_classes=True``)."""
        return self.latent_head(z)

    # ------------------------------------------------------------- data units
    def encode(self, X):
        """Latent codes of rows ``X`` (tensor ``(n, n_features)``, data units)."""
        return self.embed((X - self.loc) / self.scale)

    def decode(self, z):
        """Rows in data units decoded from latent codes ``z``."""
        return self.synthesize(z) * self.scale + self.loc

    def forward(self, X):
        """Reconstruction of ``X`` (data units)."""
        return self.decode(self.encode(X))

    def predict_proba(self, X):
        """AFC class probabilities of rows ``X`` (data units)."""
        if self.afc is None:
            raise AttributeError(
                "This generator was trained without the AFC (use_afc=False)."
            )
        x = (X - self.loc) / self.scale
        return torch.softmax(self.afc(x, self.front_end(x)), dim=-1)

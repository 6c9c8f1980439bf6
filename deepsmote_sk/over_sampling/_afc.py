"""The AFC-module and the improved loss of DSEA-SMOTE (Sec. II-C, Eq. 6-8)."""

import torch
import torch.nn.functional as F
from torch import nn

from ._blocks import ConvLevel, level_sizes

__all__ = [
    "AuxiliaryFeatureClassifier",
    "afc_loss",
    "distance_loss",
    "scale_gradient",
]


class _GradientScale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.factor, None


def scale_gradient(x, factor):
    """Identity whose gradient is multiplied by ``factor``.

    Placed between the generator and the AFC, it sets how strongly the
    generator follows the AFC's losses while the AFC itself learns from them
    at full strength. A negative factor reverses the gradient: one backward
    pass then trains the realism head to *maximise* Eq. 7 while the
    generator *minimises* it (the minimax of Eq. 7 with a single optimiser).
    """
    return _GradientScale.apply(x, float(factor))


class _FeatureExtractor(nn.Module):
    """``E``: stem, strided levels and global average pooling."""

    def __init__(self, stem, channels):
        super().__init__()
        self.stem = stem
        sizes = level_sizes(stem.size, len(channels) - 1)
        self.levels = nn.Sequential(
            *(
                ConvLevel(channels[n], channels[n + 1], sizes[n], sizes[n + 1])
                for n in range(len(channels) - 1)
            )
        )

    def forward(self, x, image=None):
        return self.levels(self.stem(x, image)).mean(dim=(-2, -1))  # (batch, C)


class AuxiliaryFeatureClassifier(nn.Module):
    """Auxiliary Feature Classifier (AFC-module, Sec. II-C) with a realism head.

    A small convolutional network ``E`` on the *decoded* samples (the same
    input representation as the encoder: signal patches plus scalogram, or
    images) with global average pooling, then

    * a class head: logits of ``P(Y = y | S)`` in Eq. 6, trained with
      cross-entropy on logits (no softmax before the loss);
    * optionally a realism head ``D``: one logit per sample read from the
      features, ``D(E(g))`` of Eq. 7. ``D`` is trained on features that
      are not back-propagated into ``E`` (:meth:`frozen_features` and
      detached real features), so the realism game never competes with the
      classification for ``E``: the critic measures how far generated
      samples are from real ones *in the AFC's feature space*.

    Parameters
    ----------
    stem : nn.Module
        Maps ``(x, image)`` to a feature map of ``channels[0]`` channels and
        size ``stem.size``.
    channels : sequence of int
        Channels of the stem, then of each strided level.
    n_classes : int
        Number of classes.
    realism : bool
        Whether to add the realism head of Eq. 7.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.over_sampling._blocks import ImageStem
    >>> from deepsmote_sk.over_sampling._afc import AuxiliaryFeatureClassifier
    >>> stem = ImageStem((1, 8, 8), 4)
    >>> afc = AuxiliaryFeatureClassifier(stem, (4, 8), 3, realism=True)
    >>> features = afc.features(torch.randn(5, 64))
    >>> tuple(afc.class_head(features).shape), tuple(afc.realism(features).shape)
    ((5, 3), (5,))
    """

    def __init__(self, stem, channels, n_classes, realism):
        super().__init__()
        self.body = _FeatureExtractor(stem, channels)
        self.class_head = nn.Linear(channels[-1], n_classes)
        self.realism_head = nn.Linear(channels[-1], 1) if realism else None

    def features(self, x, image=None):
        """Pooled features ``E(x)``, shape ``(batch, channels[-1])``."""
        return self.body(x, image)

    def frozen_features(self, x, image=None):
        """``E(x)`` computed with detached weights: gradients reach ``x`` only."""
        params = {name: p.detach() for name, p in self.body.named_parameters()}
        return torch.func.functional_call(self.body, params, (x, image))

    def realism(self, features):
        """Realism logits ``D(E(x))``, shape ``(batch,)``."""
        return self.realism_head(features)[:, 0]

    def forward(self, x, image=None):
        """Class logits ``(batch, n_classes)``."""
        return self.class_head(self.features(x, image))


def afc_loss(logits_real, y_real, logits_generated, y_generated):
    """AFC loss (Eq. 6) as a quantity to minimise.

    Eq. 6 sums the log-likelihoods of the true class for generated samples
    ``g ~ P(G)`` and real samples ``o ~ P(O)``; minimising the sum of the two
    mean cross-entropies maximises it.
    """
    return F.cross_entropy(logits_real, y_real) + F.cross_entropy(
        logits_generated, y_generated
    )


def distance_loss(realism_real, realism_generated):
    """Distance loss (Eq. 7): the realism head's cross-entropy on real vs generated.

    ``-(log D(E(o)) + log(1 - D(E(g))))`` averaged over the batch. The head
    minimises it (it learns to tell real from generated); the generator,
    behind a negative :func:`scale_gradient`, maximises it, i.e. minimises
    ``log(1 - D(E(g)))`` as in Eq. 7. At the head's optimum this value is
    ``log 4 - 2 JS(P(O) || P(G))`` for the distributions of the features, so
    the generator shrinks the Jensen-Shannon distance between real and
    generated samples as the AFC sees them.
    """
    real = F.binary_cross_entropy_with_logits(
        realism_real, torch.ones_like(realism_real)
    )
    fake = F.binary_cross_entropy_with_logits(
        realism_generated, torch.zeros_like(realism_generated)
    )
    return real + fake

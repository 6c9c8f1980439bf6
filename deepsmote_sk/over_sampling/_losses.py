"""The reconstruction and latent terms of DSEASMOTE's training loss (Eq. 8).

The AFC's own terms, ``L_AFC`` (Eq. 6) and ``L_D`` (Eq. 7), live with the
AFC in :mod:`._afc`. :func:`._generator_training.train_generator` sums all
of them with their weights.
"""

import torch
import torch.nn.functional as F

__all__ = ["time_loss", "energy_loss", "tf_loss", "latent_class_loss"]


def time_loss(x_rec, x):
    """Time-domain reconstruction error of standardised signals (or rows)."""
    return F.mse_loss(x_rec, x)


def energy_loss(x_rec, x):
    """Squared error of each row's RMS: the amplitude a [0, 1] scalogram cannot see."""
    return F.mse_loss(_rms(x_rec), _rms(x))


def tf_loss(image_rec, image):
    """Time-frequency reconstruction error: scalograms of output and input."""
    return F.mse_loss(image_rec, image)


def latent_class_loss(logits, y):
    """Cross-entropy of the latent class head: same-class codes gather together."""
    return F.cross_entropy(logits, y)


def _rms(x):
    """Root mean square of each row."""
    return torch.sqrt(x.square().mean(dim=1) + 1e-6)

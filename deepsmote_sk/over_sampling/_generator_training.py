"""Training DSEASMOTE's networks: the generator (Eq. 8) and the filter's judge.

Both go through the package's one training loop
(:func:`deepsmote_sk._training.train_loop`) with Adam; a step returns its
named loss terms and their weighted sum, ``loss``.
"""

import numpy as np
import torch
import torch.nn.functional as F

from .._training import minibatches, train_loop
from ..utils._torch import map_batches
from ._afc import afc_loss, distance_loss, scale_gradient
from ._losses import energy_loss, latent_class_loss, tf_loss, time_loss
from ._phase import random_roll
from ._quality_filter import GENERATION_BATCH

__all__ = ["train_generator", "train_judge"]


def train_generator(net, X, y, *, config, tf_weight, phase, seed, device, verbose=False):
    """Train the generator (and the AFC with it); returns the loss history.

    Each step minimises Eq. 8 plus the terms the preset adds:

    ``L = L_time + L_energy + tf_weight L_tf + latent_weight L_latent
    + L_AFC + L_D``

    where ``L_AFC`` and ``L_D`` reach the generator scaled by ``afc_weight``
    and ``-distance_weight`` (see :func:`afc_terms`).

    Parameters
    ----------
    net : DSEAGenerator
    X : ndarray of shape (n_rows, n_features), float32
        Standardised training rows.
    y : ndarray of shape (n_rows,)
        Class indices.
    config : dict
        The resolved preset (``lr``, ``batch_size``, ``max_steps``,
        ``max_epochs``, ``latent_weight``, ``afc_weight``,
        ``distance_weight``, ``undersample_alignment``).
    tf_weight : float
    phase : int or None
        Train on randomly rolled rows (random phases): the number of
        samples along time of each row's series (see ``_phase``); None
        trains on the rows as they are.
    seed : int
    device : torch.device
    verbose : bool or int
    """
    X_t = torch.as_tensor(X, device=device)
    y_t = torch.as_tensor(y, dtype=torch.long, device=device)
    # Without random phases the real scalograms never change: computed once.
    images = None
    if net.use_cwt and phase is None:
        with torch.no_grad():
            images = map_batches(net.front_end, X, device, GENERATION_BATCH)
    generator = torch.Generator().manual_seed(seed)
    weight = {
        "time": 1.0,
        "energy": 1.0,
        "tf": tf_weight,
        "latent": config["latent_weight"],
        "afc": 1.0,
        "distance": 1.0,
    }

    def step(index):
        x, y = X_t[index], y_t[index]
        if phase is not None:
            x = random_roll(x, generator, phase)
        image = images[index] if images is not None else net.front_end(x)
        z = net.embed(x, image)  # (batch, latent)
        if net.afc is not None:
            # Generated samples g of Eq. 6-7: the reconstructions and
            # decodes of latent interpolations between same-class pairs.
            z = torch.cat([z, _interpolate_pairs(z, y, generator)])
        x_gen = net.synthesize(z)  # (batch or 2 batch, n_features)
        image_gen = net.front_end(x_gen)
        n = len(x)
        losses = {
            "time": time_loss(x_gen[:n], x),
            "energy": energy_loss(x_gen[:n], x),
        }
        if image is not None:
            losses["tf"] = tf_loss(image_gen[:n], image)
        if net.latent_head is not None:
            losses["latent"] = latent_class_loss(net.latent_logits(z[:n]), y)
        if net.afc is not None:
            losses.update(afc_terms(net, x, image, y, x_gen, image_gen, config))
        losses["loss"] = sum(weight[name] * value for name, value in losses.items())
        return losses

    batches = _batches(X_t, y, config, generator, not config["undersample_alignment"])
    return _adam(
        step, batches, net.generator_parameters(), config, config["max_steps"],
        (net,), verbose, "DSEASMOTE",
    )


def afc_terms(net, x, image, y, x_gen, image_gen, config):
    """``L_AFC`` (Eq. 6) and ``L_D`` (Eq. 7) of a batch.

    The AFC learns from both at full strength; the generator follows
    ``L_AFC`` with ``afc_weight`` and fights the realism head with
    ``distance_weight`` (a negative factor on its gradient: Eq. 7's
    minimax with one optimiser).
    """
    n = len(x)
    afc_weight = config["afc_weight"]
    f_real = net.afc.features(x, image)
    f_gen = net.afc.features(
        scale_gradient(x_gen, afc_weight), _scale_or_none(image_gen, afc_weight)
    )
    terms = {
        "afc": afc_loss(
            net.afc.class_head(f_real),
            y,
            net.afc.class_head(f_gen),
            y.repeat(len(x_gen) // n),
        )
    }
    if net.afc.realism_head is not None:
        factor = -config["distance_weight"]
        f_mix = net.afc.frozen_features(
            scale_gradient(x_gen[n:], factor),
            _scale_or_none(image_gen[n:] if image_gen is not None else None, factor),
        )
        terms["distance"] = distance_loss(
            net.afc.realism(f_real.detach()), net.afc.realism(f_mix)
        )
    return terms


def train_judge(net, X, y, *, config, phase, seed, device, verbose=False):
    """Train the filter's judge on real rows only (all classes, balanced batches).

    Never on generated rows: the judge says whether a synthetic row looks
    like its class to a classifier that did not learn from the generator.
    Arguments as :func:`train_generator`; ``X`` holds every real row.
    """
    X_t = torch.as_tensor(X, device=device)
    y_t = torch.as_tensor(y, dtype=torch.long, device=device)
    generator = torch.Generator().manual_seed(seed + 1)

    def step(index):
        x = X_t[index]
        if phase is not None:
            x = random_roll(x, generator, phase)
        logits = net.judge(x, net.front_end(x))
        return {"loss": F.cross_entropy(logits, y_t[index])}

    batches = _batches(X_t, y, config, generator, True)
    # A step budget for the generator gives the judge one too; an epoch
    # budget gives it as many epochs over the real rows.
    steps = config["judge_steps"] if config["max_steps"] is not None else None
    return _adam(
        step, batches, net.judge.parameters(), config, steps, (net.judge,),
        verbose, "DSEASMOTE judge",
    )


def _batches(X_t, y, config, generator, balanced):
    """``batches(epoch)`` for :func:`train_loop`: class-balanced when ``balanced``."""
    weights = None
    if balanced:
        weights = torch.as_tensor(1.0 / np.bincount(y)[y])

    def batches(epoch):
        order = minibatches(len(X_t), config["batch_size"], generator, weights=weights)
        return [index.to(X_t.device) for index in order]

    return batches


def _adam(step, batches, parameters, config, steps, modules, verbose, desc):
    """Adam on ``parameters`` through the package's training loop."""
    optimizer = torch.optim.Adam(parameters, lr=config["lr"])
    return train_loop(
        step,
        batches,
        optimizer,
        config["max_epochs"] or 1,
        max_steps=steps,
        modules=modules,
        verbose=verbose,
        desc=desc,
    )


def _scale_or_none(image, factor):
    return scale_gradient(image, factor) if image is not None else None


def _interpolate_pairs(z, y, generator):
    """Random latent interpolations between each code and a same-class partner of the batch."""
    partner = _same_class_partner(y, generator)
    gap = torch.rand(len(z), 1, generator=generator).to(z.device)
    return z + gap * (z[partner] - z)


def _same_class_partner(y, generator):
    """Index of a random other same-class sample of the batch (itself when alone)."""
    scores = torch.rand(len(y), len(y), generator=generator).to(y.device)
    scores = scores.masked_fill(y[:, None] != y[None, :], -1.0)
    scores.fill_diagonal_(-0.5)
    return scores.argmax(dim=1)

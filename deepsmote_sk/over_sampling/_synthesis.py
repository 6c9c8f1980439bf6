"""Synthesis: latent SMOTE between same-class codes, decoding and the quality filter.

Class by class: draw base and partner rows, interpolate their latent codes
(Eq. 1), decode (or, in residual synthesis, add the decoder's change to the
base row), give each new window its base window's mean and scale (each new
image the range of the real images), and keep what the per-sample filter
(Eq. 9-12) accepts.
"""

import warnings
from functools import partial

import numpy as np
import torch

from ..utils._torch import map_batches
from ._latent_smote import LatentSMOTE
from ._phase import align_to, match_moments, phase_free_view, random_roll
from ._quality_filter import (
    GENERATION_BATCH,
    QualityFilter,
    pearson_to_nearest,
    standardize_rows,
)

__all__ = ["synthesize"]

#: Noise of the one-sample fallback, as a fraction of the per-dimension
#: standard deviation of the training set's latent codes.
_FALLBACK_NOISE = 0.1


@torch.no_grad()
def synthesize(net, X, y, *, classes, targets, thresholds, config, windows,
               phase, value_range, k_neighbors, use_filter, max_rounds, rng, device):
    """New rows for each target class, and the filter's report of each.

    Parameters
    ----------
    net : DSEAGenerator
        Trained, in evaluation mode.
    X : ndarray of shape (n_rows, n_features), float32
        Standardised real rows.
    y : ndarray of shape (n_rows,)
        Class indices into ``classes``.
    classes : ndarray
        Class labels.
    targets : dict
        Label -> number of rows to make.
    thresholds : dict
        Label -> ``beta(BR)``.
    config : dict
        The resolved preset (``synthesis``, ``judge``).
    windows : bool
        Rows are signal windows (per-window moments apply).
    phase : int or None
        Samples along time of each row's series when the phase is a
        nuisance (``time_shift``; see ``_phase``), else None.
    value_range : tuple of float or None
        ``(low, high)``: every new value is clipped to it (image mode: the
        range of the real images; a scalogram's magnitude is never
        negative). None leaves the values as made.
    k_neighbors, use_filter, max_rounds
        As the estimator's parameters.
    rng : numpy.random.RandomState
    device : torch.device

    Returns
    -------
    X_new : ndarray of shape (sum(targets.values()), n_features)
    y_new : list of labels
    quality : dict
        Label -> :meth:`QualityFilter.run`'s report.
    """
    counts = np.bincount(y, minlength=len(classes))
    shift = phase is not None
    residual = config["synthesis"] == "residual"
    judge = net.judge if config["judge"] == "independent" else net.afc
    generator = torch.Generator().manual_seed(int(rng.randint(2**31)))
    noise_std = None
    if any(counts[np.searchsorted(classes, label)] == 1 for label in targets):
        codes = map_batches(net.embed, X, device, GENERATION_BATCH)
        noise_std = _FALLBACK_NOISE * codes.std(dim=0).cpu().numpy()
    X_new, y_new, quality, short = [], [], {}, []
    for label, n_needed in targets.items():
        c = int(np.searchsorted(classes, label))
        rows = torch.as_tensor(X[y == c], device=device)
        codes = map_batches(net.embed, X[y == c], device, GENERATION_BATCH).cpu().numpy()
        view = partial(phase_free_view, length=phase) if shift else net.quality_view
        real_views = view(rows)
        reference = standardize_rows(real_views)
        smote = LatentSMOTE(
            codes, k_neighbors, noise_std, rng,
            neighbor_space=real_views.cpu().numpy() if shift else None,
        )

        def draw(n, rows=rows, codes=codes, smote=smote):
            base, partner, gap = smote.pairs(n)
            x_base = rows[base]
            if shift:
                # A new phase for each sample; the partner aligned to it.
                x_base = random_roll(x_base, generator, phase)
            z_base = _codes(net, x_base, codes[base], shift)
            z_partner = None
            if partner is not None:
                x_partner = rows[partner]
                if shift:
                    x_partner = align_to(x_partner, x_base, phase)
                z_partner = _codes(net, x_partner, codes[partner], shift)
            z = torch.as_tensor(smote.mix(z_base, z_partner, gap), device=device)
            x_new = net.synthesize(z)
            if residual:
                # The real base plus the decoder's change from base to
                # mix: the base's detail and phase survive, and decoder
                # artefacts shared by every decode cancel.
                z_base = torch.as_tensor(z_base, device=device)
                x_new = x_base + x_new - net.synthesize(z_base)
            if windows:
                x_new = match_moments(x_new, x_base)
            if value_range is not None:
                x_new = x_new.clamp(*value_range)
            return x_new

        def score(x, c=c, reference=reference):
            # The front end's image feeds the judge and, without phase
            # handling, the PCC: with neither, skip its CWT.
            image = net.front_end(x) if judge is not None or not shift else None
            if shift:
                candidate = view(x)  # the reference's own view
            else:
                candidate = image.flatten(1) if image is not None else net.quality_view(x)
            pcc = pearson_to_nearest(candidate, reference)
            if judge is None:
                return pcc, None, None
            proba = torch.softmax(judge(x, image), dim=-1)
            return pcc, proba[:, c], proba.argmax(dim=-1) == c

        quality_filter = QualityFilter(
            thresholds[label], enabled=use_filter, max_rounds=max_rounds
        )
        samples, report = quality_filter.run(draw, score, n_needed)
        quality[label] = report
        if report["n_filled"]:
            short.append(label)
        X_new.append(samples.cpu().numpy())
        y_new.extend([label] * n_needed)
    if short:
        warnings.warn(
            "DSEASMOTE: the quality filter accepted too few samples of classes "
            f"{', '.join(map(str, short))} within max_rounds={max_rounds}; "
            "the best-scoring rejects filled the gap. See quality_ for the "
            "acceptance rates; a longer training (max_steps) or a lower "
            "br_threshold raises them.",
            UserWarning,
        )
    return np.concatenate(X_new), y_new, quality


def _codes(net, x, known, recompute):
    """Latent codes of rows ``x``: recomputed after a roll, else the known ones."""
    return net.embed(x).cpu().numpy() if recompute else known

"""Shared data and a tiny configuration for the DSEASMOTE tests."""

import numpy as np

from deepsmote_sk import DSEASMOTE

#: A network small enough that one fit_resample of the estimator checks'
#: 1000 x 20 data takes a fraction of a second (few, large batches). On the
#: CPU, where a random_state gives bit-identical output: the estimator
#: checks compare repeated fits, and GPU kernels are not deterministic.
TINY = dict(
    device="cpu",
    max_epochs=2,
    batch_size=512,
    channels=(4,),
    latent_dim=4,
    n_heads=1,
    image_size=8,
    max_rounds=2,
    random_state=0,
)


def tiny(**params):
    return DSEASMOTE(**{**TINY, **params})


def signals(n_per_class=(30, 6), length=64, seed=0, dtype=np.float64):
    """Noisy sines, one frequency per class."""
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    rows, labels = [], []
    for label, n in enumerate(n_per_class):
        phase = rng.uniform(0, 2 * np.pi, (n, 1))
        rows.append(
            np.sin((0.2 + 0.35 * label) * t + phase)
            + 0.1 * rng.standard_normal((n, length))
        )
        labels += [label] * n
    return np.vstack(rows).astype(dtype), np.array(labels)

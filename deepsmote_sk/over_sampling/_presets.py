"""Network and training presets of DSEASMOTE.

``"paper"`` follows Sec. IV-B of the DSEA-SMOTE paper (Adam, learning rate
5e-4, batch 64, 1500 epochs, 8 attention heads, 32x32 scalograms) and
DESIGN.md's 64-512 channels; the paper gives no latent size, 128 is our
choice. ``"fast"`` is a CPU default sized so the BR 1:100 CWRU training set
of PROTOCOL.md is resampled in about a minute on two cores: 16 x 16
scalograms halve the cost of a step against 32 x 32 (the CWT and the
convolutions of the largest maps dominate it), and 100 epochs reach a
filter acceptance above 0.9 there.
"""

import numbers

__all__ = ["PRESETS", "resolve_preset"]

PRESETS = {
    "fast": {
        "channels": (16, 32),
        "latent_dim": 32,
        "n_heads": 2,
        "image_size": 16,
        "max_epochs": 100,
        "batch_size": 64,
        "lr": 2e-3,
    },
    "paper": {
        "channels": (64, 128, 256, 512),
        "latent_dim": 128,
        "n_heads": 8,
        "image_size": 32,
        "max_epochs": 1500,
        "batch_size": 64,
        "lr": 5e-4,
    },
}


def resolve_preset(preset, **overrides):
    """The preset's settings with every non-None override applied.

    ``channels`` must be a non-empty sequence of positive ints; the other
    values were checked by the estimator's parameter constraints.
    """
    config = dict(PRESETS[preset])
    config.update(
        {name: value for name, value in overrides.items() if value is not None}
    )
    channels = config["channels"]
    if (
        isinstance(channels, (str, bytes))
        or len(channels) == 0
        or not all(_is_positive_int(c) for c in channels)
    ):
        raise ValueError(
            f"channels must be a non-empty sequence of positive ints; got {channels!r}."
        )
    config["channels"] = tuple(int(c) for c in channels)
    return config


def _is_positive_int(value):
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and value >= 1
    )

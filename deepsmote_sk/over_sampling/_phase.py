"""Phase handling for windows cut from a rotating machine's recording.

A window starts at an arbitrary point of the machine's cycle: its phase is a
nuisance, not a property of the class. DSEASMOTE uses these helpers (signal
mode, ``time_shift=True``) to train its networks on random phases, to align
two windows before interpolating between them, so that interpolation does
not average two impulse trains into blur, and to pick SMOTE neighbours by a
distance that ignores phase.
"""

import torch

__all__ = ["random_roll", "align_to", "phase_free_view", "match_moments"]


def random_roll(x, generator):
    """Each row of ``x`` ``(n, L)`` rolled circularly by its own uniform shift."""
    n, length = x.shape
    shift = torch.randint(length, (n, 1), generator=generator).to(x.device)
    time = (torch.arange(length, device=x.device)[None, :] - shift) % length
    return torch.gather(x, 1, time)  # (n, L)


def align_to(x, reference):
    """Rows of ``x`` rolled circularly to best match the rows of ``reference``.

    The shift maximises the circular cross-correlation, computed for all
    shifts at once with the FFT.
    """
    length = x.shape[1]
    spectrum = torch.fft.rfft(reference, dim=1) * torch.fft.rfft(x, dim=1).conj()
    lag = torch.fft.irfft(spectrum, n=length, dim=1).argmax(dim=1, keepdim=True)
    time = (torch.arange(length, device=x.device)[None, :] - lag) % length
    return torch.gather(x, 1, time)  # (n, L)


def phase_free_view(x):
    """Magnitude spectra of the rows: a view of ``x`` in which circular shifts vanish."""
    return torch.fft.rfft(x, dim=1).abs()  # (n, L // 2 + 1)


def match_moments(x, reference):
    """Rows of ``x`` given the mean and standard deviation of the rows of ``reference``.

    Synthetic windows then have the per-window location and scale of the
    real windows they were made from (the inputs' own standardisation),
    instead of whatever offset and gain the decoder left.
    """
    centred = x - x.mean(dim=1, keepdim=True)
    std = centred.std(dim=1, keepdim=True)
    gain = reference.std(dim=1, keepdim=True) / torch.clamp(std, min=1e-12)
    return centred * gain * (std > 0) + reference.mean(dim=1, keepdim=True)

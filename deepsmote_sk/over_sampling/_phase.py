"""Phase handling for windows cut from a rotating machine's recording.

A window starts at an arbitrary point of the machine's cycle: its phase is a
nuisance, not a property of the class. DSEASMOTE uses these helpers
(``time_shift=True``) to train its networks on random phases, to align two
windows before interpolating between them, so that interpolation does not
average two impulse trains into blur, and to pick SMOTE neighbours by a
distance that ignores phase.

A row is one or more series of ``length`` samples along time laid end to
end: a signal window is one series (``length`` is the row's length); a
flattened ``(C, H, W)`` scalogram image is ``C * H`` series of ``W`` time
steps (``length=W``). Every series of a row moves by the same shift.
"""

import torch

__all__ = ["random_roll", "align_to", "phase_free_view", "match_moments"]


def _series(x, length):
    """``x`` ``(n, S * L)`` seen as ``(n, S, L)``: its series along time."""
    return x.reshape(len(x), -1, x.shape[1] if length is None else length)


def _roll(series, lag):
    """Each row of ``series`` ``(n, S, L)`` rolled circularly by its ``lag`` ``(n, 1)``."""
    n, n_series, length = series.shape
    time = (torch.arange(length, device=series.device)[None, :] - lag) % length
    return torch.gather(series, 2, time[:, None, :].expand(n, n_series, length))


def random_roll(x, generator, length=None):
    """Each row of ``x`` ``(n, S * L)`` rolled circularly along time by its own uniform shift."""
    series = _series(x, length)
    lag = torch.randint(series.shape[2], (len(x), 1), generator=generator).to(x.device)
    return _roll(series, lag).reshape(x.shape)


def align_to(x, reference, length=None):
    """Rows of ``x`` rolled circularly along time to best match the rows of ``reference``.

    The shift maximises the circular cross-correlation summed over a row's
    series, computed for all shifts at once with the FFT.
    """
    series = _series(x, length)
    n_time = series.shape[2]
    spectrum = torch.fft.rfft(_series(reference, length), dim=2) * torch.fft.rfft(
        series, dim=2
    ).conj()
    correlation = torch.fft.irfft(spectrum.sum(dim=1), n=n_time, dim=1)  # (n, L)
    lag = correlation.argmax(dim=1, keepdim=True)
    return _roll(series, lag).reshape(x.shape)


def phase_free_view(x, length=None):
    """Magnitude spectra along time of the rows' series: a view in which circular shifts vanish."""
    return torch.fft.rfft(_series(x, length), dim=2).abs().flatten(1)  # (n, S * (L // 2 + 1))


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

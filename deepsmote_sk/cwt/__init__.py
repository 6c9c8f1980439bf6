"""Continuous wavelet transform: the fast torch CWT and the scalogram transformer."""

from ._cwt import cwt, effective_support, frequencies_to_scales

__all__ = ["cwt", "effective_support", "frequencies_to_scales"]

"""Bearing-vibration data: the simulator, the CWRU reader and the benchmark split."""

from ._cwru import CWRU_12K_DRIVE_END, load_cwru
from ._simulator import bearing_frequencies, make_bearing_signals
from ._windows import make_imbalanced_split, make_windows, standardize_windows

__all__ = [
    "CWRU_12K_DRIVE_END",
    "bearing_frequencies",
    "load_cwru",
    "make_bearing_signals",
    "make_imbalanced_split",
    "make_windows",
    "standardize_windows",
]

"""Shared helpers: devices, seeds, threads and input validation.

One place resolves devices and seeds for every estimator in the package.
"""

from ._torch import resolve_device, seeded, torch_threads, torch_seed_from
from ._validation import check_signals

__all__ = ["resolve_device", "seeded", "torch_threads", "torch_seed_from", "check_signals"]

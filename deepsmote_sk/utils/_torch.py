"""Devices, seeds and thread counts for torch code.

Every estimator of the package goes through these helpers so that

* ``device="auto"`` means the same thing everywhere,
* a ``random_state`` gives bit-identical results on CPU, and
* no global random state (numpy's or torch's) is changed by a fit.
"""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state


def resolve_device(device):
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` into a ``torch.device``.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` takes CUDA when it is available and the CPU otherwise.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If CUDA is asked for and not available, or the string is not a device.

    Examples
    --------
    >>> from deepsmote_sk.utils import resolve_device
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}.")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}.") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; use device='cpu' or device='auto'."
        )
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}.")
    return dev


def torch_seed_from(random_state):
    """Draw a 63-bit torch seed from a ``random_state`` (int, RandomState or None).

    ``None`` draws from numpy's global generator, as scikit-learn does, so
    unseeded fits differ from run to run while seeded fits never read global
    state.
    """
    rng = check_random_state(random_state)
    return int(rng.randint(0, np.iinfo(np.int32).max)) * 2**31 + int(
        rng.randint(0, np.iinfo(np.int32).max)
    )


@contextmanager
def seeded(seed, device=None):
    """Run a block with torch's global generators seeded, then restore them.

    Module initialisation and dropout read torch's global generator; this
    context forks it (``torch.random.fork_rng``) so a fit is reproducible
    and leaves the caller's random state exactly as it was.

    Parameters
    ----------
    seed : int
        Seed for torch (CPU and, when ``device`` is CUDA, that device).
    device : torch.device, optional
        Device whose generator is also forked and seeded.
    """
    devices = []
    if device is not None and torch.device(device).type == "cuda":
        index = torch.device(device).index
        devices = [index if index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices, device_type="cuda"):
        torch.manual_seed(seed)
        yield


@contextmanager
def torch_threads(n_threads=None):
    """Set torch's intra-op thread count for a block and restore it afterwards.

    ``None`` leaves the count untouched.
    """
    previous = torch.get_num_threads()
    if n_threads is not None:
        torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def map_batches(fn, rows, device, batch_size):
    """``fn`` applied to ``rows`` (a float32 ndarray) in bounded batches, concatenated.

    Bounds the memory of applying a network to many rows at once.
    """
    out = [
        fn(torch.as_tensor(rows[start : start + batch_size], device=device))
        for start in range(0, len(rows), batch_size)
    ]
    return torch.cat(out)

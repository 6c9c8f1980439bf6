"""Reuse of the memory of released :func:`~deepsmote_sk.wavelets.cwt` outputs.

A CWT output is large (2000 windows x 64 scales x 256 samples of complex64
is 262 MB), and fresh memory is expensive: the kernel maps and zeroes every
page on first touch. On the 2-core benchmark machine, faulting in such an
output took about 0.012 s against 0.085 s for the whole transform. Like
PyTorch's CUDA caching allocator, this module keeps the memory of *one*
released output and hands it to the next call that needs an output of
about the same size, so a loop of transforms (batches of a pipeline,
repeated calls in a benchmark) pays for fresh pages once; in alternating
calls the median transform took 6-8 % less time.

Memory is reused only when nothing refers to it any more: the returned
array's ``base`` is a small :class:`_Lease` object that every view, slice
and ``torch.from_numpy`` tensor of the result keeps alive, and the memory
goes back to the cache only when that lease is deleted. Only outputs
between :data:`MIN_BYTES` and :data:`MAX_BYTES` are kept; :func:`empty_cache`
frees the kept memory.
"""

import numpy as np

__all__ = ["empty_cache"]

#: Smaller outputs are left to ``malloc``, which already keeps them, and
#: are too small for transparent huge pages (numpy advises them from 4 MiB).
MIN_BYTES = 4 * 2**20

#: Larger outputs are freed as usual, so one huge transform does not leave
#: gigabytes behind.
MAX_BYTES = 2**30

# The released memory (a 1-D uint8 array), at most one. list.pop and
# list.append are atomic, so two threads can never take the same buffer.
_free = []


class _Lease:
    """Owner of one output's memory; returns it to the cache when deleted."""

    __slots__ = ("_raw", "__array_interface__")

    def __init__(self, raw, shape, dtype):
        self._raw = raw
        self.__array_interface__ = {
            "version": 3,
            "shape": tuple(shape),
            "typestr": dtype.str,
            "data": (raw.ctypes.data, False),
        }

    def __del__(self):
        _keep(self._raw)


def _keep(raw):
    """Keep ``raw`` as the one released buffer, dropping any kept before."""
    if MIN_BYTES <= raw.nbytes <= MAX_BYTES:
        _free.append(raw)
        del _free[:-1]


def empty_array(shape, dtype):
    """Uninitialised C-contiguous array and whether its memory was reused.

    Returns ``(array, reused)``. Reused memory is already mapped; fresh
    memory comes from ``np.empty``, so large outputs get transparent huge
    pages. A released buffer is reused when it holds ``nbytes`` to
    ``2 * nbytes``; a larger one stays cached, a smaller one is freed.
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes < MIN_BYTES or nbytes > MAX_BYTES:
        return np.empty(shape, dtype=dtype), False
    try:
        raw = _free.pop()
    except IndexError:
        raw = None
    reused = raw is not None and nbytes <= raw.nbytes <= 2 * nbytes
    if not reused:
        if raw is not None and raw.nbytes > 2 * nbytes:
            _keep(raw)
        raw = np.empty(nbytes, dtype=np.uint8)
    return np.asarray(_Lease(raw, shape, dtype)), reused


def empty_cache():
    """Free the output memory that :func:`~deepsmote_sk.wavelets.cwt` keeps.

    :func:`~deepsmote_sk.wavelets.cwt` keeps the memory of the last released
    numpy output between 4 MiB and 1 GiB for its next call (fresh memory
    must be mapped and zeroed by the kernel, which made a transform of the
    benchmark batch 6-8 % slower). Call this to give that memory back,
    e.g. before a memory-hungry step that no longer needs the CWT.

    Returns
    -------
    n_bytes : int
        Bytes freed (0 when nothing was kept).

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.wavelets import cwt, empty_cache
    >>> coefs, _ = cwt(np.random.randn(300, 256), np.arange(1, 33), "morl")
    >>> del coefs  # its 19.7 MB are kept for the next call
    >>> empty_cache()
    19660800
    >>> empty_cache()
    0
    """
    n_bytes = 0
    while True:
        try:
            n_bytes += _free.pop().nbytes
        except IndexError:
            return n_bytes

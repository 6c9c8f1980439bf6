"""Windows cut from long recordings and the imbalanced benchmark split.

:func:`make_imbalanced_split` is the project's evaluation protocol
(``PROTOCOL.md``) in one call: a time-ordered split per class so that no
training window overlaps a test window, a fixed number of majority windows,
``round(n_majority * BR)`` minority windows drawn at random (seeded) and a
fixed number of test windows per class.
"""

import math
import numbers
import re
from collections.abc import Mapping

import numpy as np
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils import check_signals
from ..utils._scaling import unit_peak

__all__ = ["make_windows", "make_imbalanced_split", "standardize_windows"]

_RATIO_PATTERN = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*:\s*(\d+(?:\.\d*)?)\s*$")


def _check_signal(signal, name):
    """A 1-D, finite, numeric recording as a float array."""
    arr = np.asarray(signal)
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D recording; got an array of shape {arr.shape}."
        )
    return check_signals(arr, name=name, allow_1d=True)


def _window_starts(length, window, n, stride, start, stop, name):
    if stop is None:
        stop = length
    if not 0 <= start < stop <= length:
        raise ValueError(
            f"start and stop must satisfy 0 <= start < stop <= len({name}) = {length}; "
            f"got start={start}, stop={stop}."
        )
    if window > stop - start:
        raise ValueError(
            f"window length {window} is longer than the region [{start}, {stop}) of "
            f"{name} ({stop - start} samples); a region of at least {window} samples "
            "is needed."
        )
    last = stop - window
    if n is not None:
        return np.round(np.linspace(start, last, n)).astype(np.intp)
    return np.arange(start, last + 1, stride, dtype=np.intp)


def _cut(signal, starts, window):
    # A view of every window; fancy indexing copies only the chosen ones.
    return np.lib.stride_tricks.sliding_window_view(signal, window)[starts]


@validate_params(
    {
        "signal": ["array-like"],
        "length": [Interval(numbers.Integral, 1, None, closed="left")],
        "n": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "stride": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "start": [Interval(numbers.Integral, 0, None, closed="left")],
        "stop": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "return_starts": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_windows(signal, length, n=None, *, stride=None, start=0, stop=None,
                 return_starts=False):
    """Cut windows of ``length`` samples from a region of a 1-D recording.

    Windows are either ``n`` windows evenly spaced over the region (the first
    starts at ``start``, the last ends at ``stop``; they overlap when the
    region is too short to hold ``n`` disjoint windows) or every window whose
    start is a multiple of ``stride`` past ``start``. No window leaves the
    region ``[start, stop)``.

    Parameters
    ----------
    signal : array-like of shape (n_samples,)
        The recording.
    length : int
        Samples per window.
    n : int, default=None
        Number of evenly spaced windows. Start positions are
        ``round(linspace(start, stop - length, n))``.
    stride : int, default=None
        Step between window starts when ``n`` is None. With neither ``n`` nor
        ``stride`` the windows are contiguous and disjoint
        (``stride=length``). Giving both is an error.
    start, stop : int, default=0 and None
        The region ``signal[start:stop]`` windows are cut from; ``stop=None``
        is the end of the recording.
    return_starts : bool, default=False
        Also return the start sample of each window.

    Returns
    -------
    windows : ndarray of shape (n_windows, length)
        Copies of the windows, in time order, with the signal's float dtype
        (float64 stays float64, other numeric types become float32).
    starts : ndarray of shape (n_windows,)
        Start sample of each window, only when ``return_starts=True``.

    Raises
    ------
    ValueError
        If the region is shorter than one window, if both ``n`` and
        ``stride`` are given, or if the signal is not a finite 1-D numeric
        array.

    See Also
    --------
    make_imbalanced_split : The evaluation protocol built from these windows.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.datasets import make_windows
    >>> make_windows(np.arange(10.0), 4, stride=3)
    array([[0., 1., 2., 3.],
           [3., 4., 5., 6.],
           [6., 7., 8., 9.]])
    >>> make_windows(np.arange(10.0), 4, n=2, start=2, return_starts=True)[1]
    array([2, 6])
    """
    if n is not None and stride is not None:
        raise ValueError(
            f"Give either n (evenly spaced windows) or stride, not both; got n={n} "
            f"and stride={stride}."
        )
    arr = _check_signal(signal, "signal")
    if n is None and stride is None:
        stride = length
    starts = _window_starts(arr.size, length, n, stride, start, stop, "signal")
    windows = _cut(arr, starts, length)
    return (windows, starts) if return_starts else windows


def _standardize(X, what, positions):
    """Row-wise z-score of a float64 array; errors name ``what`` at ``positions``."""
    # Scale-free, so the squares below cannot overflow; a constant row
    # becomes exactly +-1 and has exactly zero variance.
    X, _ = unit_peak(X, axis=1)
    centred = X - X.mean(axis=1, keepdims=True)
    std = np.sqrt(np.mean(centred**2, axis=1, keepdims=True))
    constant = np.flatnonzero(std[:, 0] == 0)
    if constant.size:
        more = " ..." if constant.size > 10 else ""
        raise ValueError(
            f"Cannot standardise constant windows (zero variance): {what} "
            f"{positions[constant[:10]].tolist()}{more}."
        )
    return centred / std


def standardize_windows(X):
    """Standardise each row to zero mean and unit variance.

    Parameters
    ----------
    X : array-like of shape (n_windows, length)
        Windows, one per row.

    Returns
    -------
    ndarray of shape (n_windows, length)
        ``(x - mean(x)) / std(x)`` row by row (population standard deviation),
        float64 for float64 input and float32 otherwise.

    Raises
    ------
    ValueError
        If a row is constant: its standardisation is undefined.

    Examples
    --------
    >>> from deepsmote_sk.datasets import standardize_windows
    >>> standardize_windows([[1.0, 3.0], [0.0, -4.0]])
    array([[-1.,  1.],
           [ 1., -1.]])
    """
    X = check_signals(X, name="X")
    rows = np.arange(X.shape[0])
    return _standardize(X.astype(np.float64), "rows", rows).astype(X.dtype)


def _parse_ratio(ratio):
    """Balance ratio minority/majority as a float in (0, 1]."""
    if isinstance(ratio, str):
        match = _RATIO_PATTERN.match(ratio)
        if match is None:
            raise ValueError(
                f"ratio must be a float in (0, 1] or a string 'a:b' such as '1:100'; "
                f"got {ratio!r}."
            )
        minority, majority = float(match.group(1)), float(match.group(2))
        value = minority / majority if majority > 0 else math.inf
    else:
        value = float(ratio)
    if not 0 < value <= 1:
        raise ValueError(
            f"ratio (minority/majority) must lie in (0, 1]; got {ratio!r}."
        )
    return value


def _boundary(n_samples, train_fraction):
    """First sample of the test region."""
    return int(math.floor(train_fraction * n_samples))


def _fits(n_samples, train_fraction, window):
    """Whether both sides of the split hold at least one window."""
    boundary = _boundary(n_samples, train_fraction)
    return boundary >= window and n_samples - boundary >= window


def _signals_of(data):
    """Class name -> 1-D signal, in the order of ``class_names`` when given."""
    if isinstance(data.get("signals"), Mapping):
        signals = data["signals"]
        names = [str(c) for c in data.get("class_names", list(signals))]
        missing = [c for c in names if c not in signals]
        if missing:
            raise ValueError(f"class_names {missing} have no entry in data.signals.")
        return {name: signals[name] for name in names}
    return {str(name): sig for name, sig in data.items()}


@validate_params(
    {
        "data": [Mapping],
        "ratio": [Interval(numbers.Real, 0, 1, closed="right"), str],
        "window": [Interval(numbers.Integral, 2, None, closed="left")],
        "majority": [str],
        "n_majority": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_test": [Interval(numbers.Integral, 1, None, closed="left")],
        "train_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "standardize": ["boolean"],
        "dtype": [StrOptions({"float32", "float64"}), type],
        "random_state": ["random_state"],
        "return_info": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_imbalanced_split(data, ratio=1 / 100, window=256, *, majority="normal",
                          n_majority=2000, n_test=500, train_fraction=0.8,
                          standardize=True, dtype="float32", random_state=None,
                          return_info=False):
    """Build an imbalanced train set and a balanced test set, without leakage.

    Implements the project's evaluation protocol (``PROTOCOL.md``):

    1. Each class's recording is split in time: training windows come from
       the first ``train_fraction`` (80 %) of its samples and test windows
       from the rest; no window crosses the boundary, so overlapping windows
       never share samples across the split.
    2. The majority class gets ``n_majority`` (2000) training windows evenly
       spaced over its training region.
    3. Every other class gets ``n_min = round(n_majority * ratio)`` windows,
       drawn at random without replacement (seeded by ``random_state``) from
       ``n_majority`` evenly spaced windows of its training region. With the
       defaults, ratio ``1:400 -> 5``, ``1:100 -> 20``, ``1:5 -> 400``.
    4. Every class gets ``n_test`` (500) test windows evenly spaced over its
       test region.
    5. Each window is standardised (zero mean, unit variance) on its own.

    Parameters
    ----------
    data : Bunch or dict
        Either a Bunch with ``signals`` (class name -> 1-D array) and
        optionally ``class_names`` (the class order), as returned by
        :func:`load_cwru` and :func:`make_bearing_signals`, or a dict of 1-D
        signals.
    ratio : float or str, default=1/100
        Balance ratio BR = minority / majority, a float in (0, 1] or a string
        ``"a:b"`` such as ``"1:100"``.
    window : int, default=256
        Samples per window (the paper's length; 1024 is the protocol's second
        setting).
    majority : str, default="normal"
        Name of the majority class (the healthy class of the CWRU data and of
        the simulator).
    n_majority : int, default=2000
        Training windows of the majority class, and size of the evenly spaced
        pool each minority subset is drawn from.
    n_test : int, default=500
        Test windows per class.
    train_fraction : float, default=0.8
        Fraction of each recording, from its start, that training windows
        come from.
    standardize : bool, default=True
        Standardise each window. ``False`` keeps raw amplitudes, for example
        to add noise first and standardise after (the noise protocol).
    dtype : {"float32", "float64"} or numpy float type, default="float32"
        dtype of ``X_train`` and ``X_test``.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of the minority windows.
    return_info : bool, default=False
        Also return a Bunch describing what was built.

    Returns
    -------
    X_train : ndarray of shape (n_majority + n_min * (n_classes - 1), window)
        Training windows, class by class in class order, each class in time
        order.
    y_train : ndarray of str
        Class name of each training window.
    X_test : ndarray of shape (n_test * n_classes, window)
        Test windows, class by class, in time order.
    y_test : ndarray of str
        Class name of each test window.
    info : Bunch
        Only with ``return_info=True``: ``ratio`` (float BR), ``n_min``,
        ``window``, ``majority``, ``class_names``, ``train_counts`` and
        ``test_counts`` (class -> number of windows), ``boundary`` (class ->
        first sample of the test region), ``train_starts`` and
        ``test_starts`` (class -> start sample of each window, aligned with
        the rows), ``standardized``.

    Raises
    ------
    ValueError
        If ``ratio`` is outside (0, 1] or rounds to no minority window, if
        ``majority`` is not a class, if there are fewer than two classes, or
        if a recording is too short for one window on either side of the
        split.

    See Also
    --------
    make_windows : The window cutter used here.
    load_cwru, make_bearing_signals : Data this function reads.

    Notes
    -----
    Windows of one class overlap when its training region holds fewer than
    ``n_majority`` disjoint windows (2000 windows of 256 samples from the
    ~97 000 training samples of a CWRU fault record overlap); the split
    boundary still keeps every test sample out of training.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.datasets import make_imbalanced_split
    >>> rng = np.random.RandomState(0)
    >>> signals = {"normal": rng.randn(5000), "fault": rng.randn(5000)}
    >>> X_tr, y_tr, X_te, y_te, info = make_imbalanced_split(
    ...     signals, "1:10", window=64, n_majority=100, n_test=20,
    ...     random_state=0, return_info=True)
    >>> X_tr.shape, X_te.shape
    ((110, 64), (40, 64))
    >>> info.train_counts
    {'normal': 100, 'fault': 10}
    """
    br = _parse_ratio(ratio)
    n_min = int(math.floor(n_majority * br + 0.5))
    if n_min < 1:
        raise ValueError(
            f"ratio {ratio!r} gives round({n_majority} * {br:g}) = 0 minority windows; "
            "use a larger ratio or a larger n_majority."
        )
    signals = _signals_of(data)
    if len(signals) < 2:
        raise ValueError(f"At least two classes are needed; got {list(signals)}.")
    if majority not in signals:
        raise ValueError(
            f"majority class {majority!r} is not among the classes {list(signals)}; "
            "pass majority=<name of the majority class>."
        )
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}.")

    rng = check_random_state(random_state)
    X_train, y_train, X_test, y_test = [], [], [], []
    info = Bunch(ratio=br, n_min=n_min, window=window, majority=majority,
                 class_names=list(signals), train_counts={}, test_counts={},
                 boundary={}, train_starts={}, test_starts={},
                 standardized=standardize)
    for name, raw in signals.items():
        sig = _check_signal(raw, f"signal {name!r}")
        boundary = _boundary(sig.size, train_fraction)
        if not _fits(sig.size, train_fraction, window):
            # (window - 1) / min(fraction) bounds the answer from below.
            needed = int((window - 1) / min(train_fraction, 1 - train_fraction))
            while not _fits(needed, train_fraction, window):
                needed += 1
            raise ValueError(
                f"signal {name!r} has {sig.size} samples: too short for a window of "
                f"{window} on both sides of the {train_fraction:g} split; at least "
                f"{needed} samples are needed."
            )
        pool = _window_starts(sig.size, window, n_majority, None, 0, boundary, name)
        if name == majority:
            train_starts = pool
        else:
            train_starts = np.sort(rng.choice(pool, size=n_min, replace=False))
        test_starts = _window_starts(sig.size, window, n_test, None, boundary, None,
                                     name)
        for starts, X, y, part in ((train_starts, X_train, y_train, "training"),
                                   (test_starts, X_test, y_test, "test")):
            windows = _cut(sig, starts, window).astype(np.float64)
            if standardize:
                windows = _standardize(
                    windows, f"{part} windows of {name!r} starting at samples", starts
                )
            X.append(windows.astype(dtype))
            y.append(np.full(starts.size, name))
        info.train_counts[name] = int(train_starts.size)
        info.test_counts[name] = int(test_starts.size)
        info.boundary[name] = boundary
        info.train_starts[name] = train_starts
        info.test_starts[name] = test_starts

    out = (np.concatenate(X_train), np.concatenate(y_train),
           np.concatenate(X_test), np.concatenate(y_test))
    return out + (info,) if return_info else out

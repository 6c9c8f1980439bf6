"""Reader for the CWRU bearing data: the project's npz or the original .mat files."""

import numbers
import os
import re
import zipfile
from collections.abc import Mapping

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["load_cwru", "CWRU_12K_DRIVE_END"]

#: Record numbers of the CWRU 12 kHz drive-end fault set and the normal
#: baseline, by class, at motor loads 0, 1, 2 and 3 hp. Outer-race faults
#: are the ones centred at 6:00 (in the load zone).
CWRU_12K_DRIVE_END = {
    "normal": (97, 98, 99, 100),
    "IR007": (105, 106, 107, 108),
    "B007": (118, 119, 120, 121),
    "OR007": (130, 131, 132, 133),
    "IR014": (169, 170, 171, 172),
    "B014": (185, 186, 187, 188),
    "OR014": (197, 198, 199, 200),
    "IR021": (209, 210, 211, 212),
    "B021": (222, 223, 224, 225),
    "OR021": (234, 235, 236, 237),
}
#: Nominal motor speed (rpm) at 0-3 hp, used when a file has no RPM variable.
_NOMINAL_RPM = (1797, 1772, 1750, 1730)
_FS = 12000
ENV_VAR = "DEEPSMOTE_SK_CWRU"


def _resolve_path(path):
    if path is None:
        path = os.environ.get(ENV_VAR)
        if not path:
            raise ValueError(
                f"No CWRU path given and the environment variable {ENV_VAR} is not "
                "set; pass the path of the npz file or of a folder of CWRU .mat files."
            )
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"CWRU data not found: {path!r} does not exist.")
    return path


def _select(classes, available, where):
    if classes is None:
        return list(available)
    names = [str(c) for c in classes]
    unknown = [c for c in names if c not in available]
    if unknown:
        raise ValueError(
            f"Unknown classes {unknown} in {where}; available: {list(available)}."
        )
    return names


def _as_signal(values, what):
    arr = np.asarray(values)
    if arr.dtype.kind not in "iuf" or arr.size == 0 or arr.squeeze().ndim > 1:
        raise ValueError(f"{what} is not a 1-D numeric signal (dtype {arr.dtype}, "
                         f"shape {arr.shape}).")
    arr = arr.reshape(-1).astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or infinity.")
    return arr


def _load_npz(path, classes, channel):
    if channel != "DE":
        raise ValueError(
            f"The npz format holds the drive-end channel only; got channel={channel!r}."
        )
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(
            f"{path!r} is neither a folder of CWRU .mat files nor an npz file "
            "numpy can read without unpickling."
        ) from exc
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{path!r} holds a single array, not a CWRU npz (expected class_names, "
            "fs and one array per class)."
        )
    with npz as z:
        missing = [key for key in ("class_names", "fs") if key not in z.files]
        if missing:
            raise ValueError(f"{path!r} lacks the key(s) {missing}: not a CWRU npz "
                             "(expected class_names, fs and one array per class).")
        all_names = [str(c) for c in z["class_names"]]
        names = _select(classes, all_names, path)
        absent = [c for c in names if c not in z.files]
        if absent:
            raise ValueError(
                f"{path!r} lists classes {absent} in class_names but holds no array "
                "for them."
            )
        signals = {c: _as_signal(z[c], f"{path!r}[{c!r}]") for c in names}
        order = {c: i for i, c in enumerate(all_names)}
        rpm, record_numbers = (
            {c: int(z[key][order[c]]) if key in z.files else None for c in names}
            for key in ("rpm", "cwru_file_number")
        )
        fs = int(z["fs"])
    return signals, fs, rpm, record_numbers


def _mat_variable(contents, number, suffix, filename):
    """``X097_DE_time``, or the file's only ``*_DE_time`` variable when renamed."""
    exact = f"X{number:03d}{suffix}"
    if exact in contents:
        return contents[exact]
    candidates = [k for k in contents if re.fullmatch(rf"X\d+{re.escape(suffix)}", k)]
    if len(candidates) == 1:
        return contents[candidates[0]]
    found = sorted(k for k in contents if not k.startswith("__"))
    raise ValueError(f"{filename!r} has no variable {exact!r}; it holds {found}.")


def _load_folder(path, classes, load, channel):
    from scipy.io import loadmat
    from scipy.io.matlab import MatReadError

    if isinstance(classes, Mapping):
        record = {str(c): int(n) for c, n in classes.items()}
    else:
        names = _select(classes, CWRU_12K_DRIVE_END, "the CWRU 12 kHz drive-end set")
        record = {c: CWRU_12K_DRIVE_END[c][load] for c in names}
    signals, rpm = {}, {}
    for name, number in record.items():
        filename = os.path.join(path, f"{number}.mat")
        if not os.path.isfile(filename):
            if not any(entry.lower().endswith(".mat") for entry in os.listdir(path)):
                raise FileNotFoundError(
                    f"CWRU data not found: the folder {path!r} holds no .mat files "
                    "(CWRU records named by number, e.g. 97.mat); pass a folder of "
                    "them or a CWRU npz file."
                )
            raise FileNotFoundError(
                f"CWRU record {number} for class {name!r} not found: expected "
                f"{filename!r} (files are named by CWRU record number, e.g. 97.mat)."
            )
        try:
            contents = loadmat(filename)
        except (MatReadError, NotImplementedError, OSError, ValueError) as exc:
            # NotImplementedError: MATLAB v7.3 (HDF5) files.
            raise ValueError(
                f"{filename!r} is not a readable CWRU .mat file "
                f"({type(exc).__name__}: {exc})."
            ) from exc
        signals[name] = _as_signal(
            _mat_variable(contents, number, f"_{channel}_time", filename),
            f"{filename!r} channel {channel}",
        )
        try:
            speed = _mat_variable(contents, number, "RPM", filename)
            rpm[name] = int(np.asarray(speed).ravel()[0])
        except (ValueError, IndexError):
            rpm[name] = _NOMINAL_RPM[load]
    return signals, _FS, rpm, record


@validate_params(
    {
        "path": [str, os.PathLike, None],
        "classes": ["array-like", Mapping, None],
        "load": [Interval(numbers.Integral, 0, 3, closed="both")],
        "channel": [StrOptions({"DE", "FE", "BA"})],
    },
    prefer_skip_nested_validation=True,
)
def load_cwru(path=None, *, classes=None, load=0, channel="DE"):
    """Load CWRU bearing recordings as named 1-D signals.

    Reads either the project's npz file (``cwru_12k_de_0hp.npz``: one float
    array per class plus ``class_names``, ``fs``, ``rpm`` and
    ``cwru_file_number``) or a folder of the original CWRU ``.mat`` files of
    the 12 kHz drive-end set, named by record number (``97.mat``,
    ``105.mat``, ...) as the CWRU Bearing Data Center serves them.

    Parameters
    ----------
    path : str or path-like, default=None
        The npz file or the folder of ``.mat`` files. ``None`` reads the
        environment variable ``DEEPSMOTE_SK_CWRU``.
    classes : list of str or dict, default=None
        Classes to load, in this order. ``None`` loads every class (for a
        folder: the ten classes ``normal, IR007, B007, OR007, IR014, B014,
        OR014, IR021, B021, OR021``). For a folder a dict ``{name: record
        number}`` loads any records under any names.
    load : {0, 1, 2, 3}, default=0
        Motor load in hp; picks the record numbers in a folder (0 hp: 97,
        105, 118, ...; see ``CWRU_12K_DRIVE_END``). An npz file holds one
        load and ignores it.
    channel : {"DE", "FE", "BA"}, default="DE"
        Accelerometer: drive end, fan end or base (``.mat`` files only; the
        npz holds the drive end). The variable read is ``X<record>_<channel>_time``
        (``X097_DE_time``); a file whose only such variable has another
        record number (a renamed copy) is read too.

    Returns
    -------
    data : Bunch
        ``signals`` (class name -> float64 1-D array, in g), ``fs`` (12000),
        ``class_names``, ``rpm`` (class name -> motor speed from the file's
        ``X<record>RPM`` variable, or the load's nominal speed when a file has
        none), ``file_numbers`` (class name -> CWRU record number) and
        ``DESCR``.

    Raises
    ------
    FileNotFoundError
        If ``path`` or a needed ``.mat`` file does not exist, or the folder
        holds no ``.mat`` file at all.
    ValueError
        If no path is given and the environment variable is unset, a class
        is unknown, a file cannot be read as npz or ``.mat``, or it lacks
        the expected keys or variables.

    See Also
    --------
    make_imbalanced_split : Builds the benchmark split from the result.
    make_bearing_signals : Simulated recordings of the same kind.

    References
    ----------
    .. [1] Case Western Reserve University Bearing Data Center, "Seeded fault
       test data", https://engineering.case.edu/bearingdatacenter
    .. [2] W. A. Smith and R. B. Randall, "Rolling element bearing
       diagnostics using the Case Western Reserve University data: A
       benchmark study", Mechanical Systems and Signal Processing 64-65
       (2015) 100-131.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from scipy.io import savemat
    >>> from deepsmote_sk.datasets import load_cwru
    >>> folder = tempfile.mkdtemp()
    >>> savemat(os.path.join(folder, "97.mat"),
    ...         {"X097_DE_time": np.zeros((100, 1)), "X097RPM": 1796})
    >>> data = load_cwru(folder, classes=["normal"])
    >>> data.signals["normal"].shape, data.fs, data.rpm
    ((100,), 12000, {'normal': 1796})
    """
    path = _resolve_path(path)
    if os.path.isdir(path):
        signals, fs, rpm, records = _load_folder(path, classes, load, channel)
        source = f"CWRU .mat files in {path!r}, {load} hp, channel {channel}"
    else:
        if isinstance(classes, Mapping):
            raise ValueError(
                "classes as a {name: record number} dict applies to a folder of .mat "
                "files, not to an npz file."
            )
        signals, fs, rpm, records = _load_npz(path, classes, channel)
        source = f"CWRU npz {path!r}"
    return Bunch(
        signals=signals,
        fs=fs,
        class_names=list(signals),
        rpm=rpm,
        file_numbers=records,
        DESCR=f"{source}: classes {list(signals)} sampled at {fs} Hz (units: g).",
    )

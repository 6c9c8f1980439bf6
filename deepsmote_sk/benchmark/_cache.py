"""The cell cache: one JSON record per finished cell in ``cells/<key>.json``.

A cell's key (:attr:`Cell.key`) digests everything that defines its result;
a record is read back only when its version and its cell's configuration
match, so a changed grid or layout runs the cell again.
"""

import json
import os

import numpy as np

from .._version import __version__

#: Version of the cache layout; bump it when a cell's stored result changes.
_CACHE_VERSION = 2


def _record(cell, row, extras, *, failed=False):
    """What ``cells/<key>.json`` holds for ``cell``: its CSV row and extras."""
    record = {
        "key": cell.key,
        "config": cell.config(),
        "row": row,
        "extras": extras,
        "version": _CACHE_VERSION,
        "package_version": __version__,
    }
    if failed:
        record["failed"] = True
    return record


def _read_cells(cells, folder, needs_extras):
    """The cached records of ``cells`` in ``folder``, by key."""
    records = {}
    for cell in cells:
        record = _read_cell(folder / f"{cell.key}.json", cell, needs_extras[cell.key])
        if record is not None:
            records[cell.key] = record
    return records


def _read_cell(path, cell, need_extras):
    """The cached record of ``cell``, or None when it must run (again)."""
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("version") != _CACHE_VERSION or record.get("failed"):
        return None
    if record.get("config") != json.loads(json.dumps(cell.config())):
        return None
    if need_extras and "embedding" not in record.get("extras", {}):
        return None
    return record


def _store_cell(folder, record):
    """Cache a finished record; a failed cell is not stored, so it runs again."""
    if not record.get("failed"):
        _write_json(folder / f"{record['key']}.json", record)


def _write_json(path, payload):
    """Write JSON atomically, so an interrupted run never leaves a half cell."""
    text = json.dumps(payload, default=_jsonable)
    _write_atomically(path, lambda tmp: tmp.write_text(text))


def _write_atomically(path, write):
    """Call ``write`` on a temporary file next to ``path``, then move it there."""
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def _jsonable(value):
    return value.item() if isinstance(value, np.generic) else value

"""Docs of public constants re-exported from private modules.

A constant such as ``deepsmote_sk.benchmark.DEFAULT_RATIOS`` is documented by
a ``#:`` comment where it is defined (``deepsmote_sk/benchmark/_grid.py``),
but autodoc only reads the comments of the module it is asked about (the
package ``__init__``) and otherwise shows the docstring of the value's type
("Built-in immutable sequence..."). This extension replaces the docstring of
a ``data`` object by the ``#:`` comment of the module that defines it.
"""

import importlib
import sys

from sphinx.pycode import ModuleAnalyzer


def _defining_comment(package, attr, value):
    """The ``#:`` comment of ``attr`` in ``package`` or one of its submodules."""
    names = [package] + sorted(
        name for name in list(sys.modules) if name.startswith(package + ".")
    )
    for name in names:
        module = sys.modules.get(name)
        if module is None or getattr(module, attr, None) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(name).find_attr_docs()
        except Exception:  # a module without source (extension, frozen)
            continue
        if ("", attr) in docs:
            return list(docs[("", attr)])
    return None


def _process_docstring(app, what, name, obj, options, lines):
    if what != "data" or not name.startswith("deepsmote_sk."):
        return
    package, attr = name.rsplit(".", 1)
    importlib.import_module(package)
    comment = _defining_comment(package, attr, obj)
    lines[:] = comment if comment is not None else []


def setup(app):
    # Before numpydoc (priority 500), so numpydoc formats the comment.
    app.connect("autodoc-process-docstring", _process_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""The documentation covers the public API, and the gallery is well formed.

Building the site (``python -m sphinx -W -b html docs docs/_build/html``)
checks the rest; these tests are the fast part that runs with the suite.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest

import deepsmote_sk

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api.rst"
EXAMPLES = ROOT / "examples"

SUBPACKAGES = [
    "deepsmote_sk.benchmark",
    "deepsmote_sk.classifiers",
    "deepsmote_sk.wavelets",
    "deepsmote_sk.datasets",
    "deepsmote_sk.metrics",
    "deepsmote_sk.noise",
    "deepsmote_sk.over_sampling",
    "deepsmote_sk.utils",
]


def _autosummary_entries(text):
    """``{module: set of names}`` listed in autosummary blocks, by current module."""
    entries, module, in_block = {}, None, False
    for line in text.splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
            continue
        if line.startswith(".. autosummary::"):
            in_block = True
            continue
        if in_block:
            if not line.strip() or line.strip().startswith(":"):
                continue
            if not line.startswith("   "):
                in_block = False
                continue
            entries.setdefault(module, set()).add(line.strip())
    return entries


@pytest.mark.parametrize("module_name", SUBPACKAGES)
def test_api_reference_lists_exactly_the_public_names_of_each_subpackage(module_name):
    module = importlib.import_module(module_name)
    documented = _autosummary_entries(API.read_text()).get(module_name, set())
    assert (
        sorted(set(module.__all__) - documented) == []
    ), "public names missing from docs/api.rst"
    assert (
        sorted(documented - set(module.__all__)) == []
    ), "docs/api.rst lists non-public names"


def test_api_reference_lists_every_top_level_shortcut():
    text = API.read_text()
    missing = [name for name in deepsmote_sk.__all__ if f"``{name}``" not in text]
    assert missing == []


def test_every_top_level_shortcut_is_documented_in_its_subpackage():
    entries = _autosummary_entries(API.read_text())
    for name in deepsmote_sk.__all__:
        if name == "__version__":
            continue
        obj = getattr(deepsmote_sk, name)
        homes = [module for module, names in entries.items() if name in names]
        assert homes, f"{name} has no API page"
        assert any(getattr(importlib.import_module(m), name) is obj for m in homes)


def _examples():
    return sorted(EXAMPLES.glob("plot_*.py"))


def test_gallery_has_a_header_and_examples():
    assert (EXAMPLES / "GALLERY_HEADER.rst").is_file()
    assert len(_examples()) >= 7


@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_each_example_has_a_titled_docstring_and_draws_a_figure(path):
    source = path.read_text()
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring is not None, "sphinx-gallery needs a module docstring"
    lines = [line for line in docstring.splitlines() if line.strip()]
    # reST title: a line of text underlined (and here overlined) by '='.
    assert set(lines[0]) == {"="} and set(lines[2]) == {"="} and lines[1].strip()
    assert len(lines[0]) >= len(lines[1]) and len(lines[2]) >= len(lines[1])
    assert "plt.show()" in source, "each example renders a figure"


# ------------------------------------------------- figures quoted in the guide
GUIDE = ROOT / "docs" / "user_guide"


def _doc_value(text):
    """A table cell of the preset table as a Python value."""
    text = text.split(" (")[0].strip().strip("`")
    return None if text == "None" else ast.literal_eval(text)


def test_the_preset_table_of_the_threshold_guide_matches_the_presets():
    from deepsmote_sk.over_sampling._presets import PRESETS

    rows = {}
    for line in (GUIDE / "threshold.rst").read_text().splitlines():
        match = re.match(r"``(\w+)``\s{2,}(.+?)\s{2,}(.+)$", line)
        if match:
            rows[match[1]] = (_doc_value(match[2]), _doc_value(match[3]))
    documented = set(PRESETS["fast"]) - {"judge_steps"}
    assert set(rows) == documented
    for name, (fast, paper) in rows.items():
        assert (fast, paper) == (PRESETS["fast"][name], PRESETS["paper"][name]), name


def test_the_filter_and_scale_figures_of_the_guide_match_the_code():
    from deepsmote_sk import DSEASMOTE
    from deepsmote_sk.over_sampling._presets import PRESETS
    from deepsmote_sk.over_sampling._quality_filter import _MIN_RATE

    threshold = " ".join((GUIDE / "threshold.rst").read_text().split())
    rounds = DSEASMOTE().max_rounds
    assert f"at most ``max_rounds`` rounds ({rounds} by default)" in threshold
    assert f"``missing / max(rate, {_MIN_RATE})``" in threshold
    assert f"``2 max_rounds - 1`` ({2 * rounds - 1})" in threshold
    modes = " ".join((GUIDE / "modes.rst").read_text().split())
    fast, paper = PRESETS["fast"]["image_size"], PRESETS["paper"]["image_size"]
    assert f"``image_size`` scales ({fast} with the default ``\"fast\"`` preset, {paper} with ``\"paper\"``)" in modes

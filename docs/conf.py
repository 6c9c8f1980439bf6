"""Sphinx configuration for the deepsmote_sk documentation."""

import os
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import deepsmote_sk  # noqa: E402

# Local extensions and the gallery's per-example reset hook.
sys.path.insert(0, os.path.abspath("sphinxext"))

project = "deepsmote_sk"
author = "deepsmote_sk developers"
copyright = "2026, deepsmote_sk developers"
release = deepsmote_sk.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "attribute_docs",
]

autosummary_generate = True
# Class pages list inherited methods (fit, predict, fit_resample...) through
# the class template; a default "inherited-members" here would override it.
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

html_theme = "pydata_sphinx_theme"
html_title = "deepsmote_sk"
html_theme_options = {"navigation_with_keys": False}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    # Examples run on one torch thread, as the tests do, so timings are comparable.
    "reset_modules": ("matplotlib", "gallery_reset.one_torch_thread"),
    # "Examples using X" on every API page, and links from example code to the API.
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("deepsmote_sk",),
    "reference_url": {"deepsmote_sk": None},
}

# The gallery may be skipped locally with DEEPSMOTE_SK_DOCS_NO_GALLERY=1.
if os.environ.get("DEEPSMOTE_SK_DOCS_NO_GALLERY"):
    sphinx_gallery_conf["plot_gallery"] = "False"

warnings.filterwarnings(
    "ignore", category=UserWarning, message="Matplotlib is currently using agg"
)

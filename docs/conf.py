"""Sphinx configuration of skgen's documentation site.

Build: ``pip install -e ".[docs]" && make -C docs html`` (offline; the site lands in
``docs/_build/html``). ``SKGEN_DOCS_FAST=1`` makes the gallery examples train on
small data for few epochs (CI); ``make -C docs html-noplot`` skips running them.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout's skgen, even without pip install -e

import skgen  # noqa: E402

project = "skgen"
author = "skgen developers"
copyright = "skgen developers"
release = version = skgen.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "generated/*.examples",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.codeobj.json",
    "**.ipynb_checkpoints",
    "sg_execution_times.rst",
    "_other_pages.md",
    "examples",
]
templates_path = ["_templates"]

# -- MyST: the Markdown pages -------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3
# Links from a page to files outside the site (benchmark scripts, the README) are
# plain links to the repository, not cross-references.
suppress_warnings = ["myst.xref_missing", "myst.header"]

# -- API reference ----------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- The gallery --------------------------------------------------------------------
FAST = os.environ.get("SKGEN_DOCS_FAST", "0") not in ("", "0")
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    # Only plot_*.py are gallery examples; other scripts in docs/examples are plain demos.
    "ignore_pattern": r"^(?!plot_)",  # matched against the file name
    "filename_pattern": r"[/\\]plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "min_reported_time": 1,
    "backreferences_dir": "generated",
    "doc_module": ("skgen",),
}
os.environ.setdefault("SKGEN_DOCS_FAST", "1" if FAST else "0")

# -- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skgen {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path = []
html_show_sourcelink = False


# -- The API page is generated from the public namespaces, so it never misses a name.
def _public(module):
    names = getattr(module, "__all__", None) or []
    return sorted(n for n in names if not inspect.ismodule(getattr(module, n)))


def _section(title, module_name, names, intro):
    lines = [title, "-" * len(title), "", intro, "", f".. currentmodule:: {module_name}", ""]
    lines += [".. autosummary::", "   :toctree: generated/", "   :template: entry.rst", ""]
    lines += [f"   {name}" for name in names]
    return lines + ["", ""]


def write_api_page(app=None):
    import importlib

    import skgen.utils.discovery as discovery

    estimators = [name for name, _ in discovery.all_estimators()]
    top_other = [n for n in _public(skgen) if n not in estimators]
    sections = [
        ("Estimators", "skgen", estimators,
         "Every model is a scikit-learn estimator; see :doc:`autoencoders` and :doc:`gans`."),
        ("Configuration, errors", "skgen", top_other, "Global settings and the exceptions skgen raises."),
    ]
    for module_name, title, intro in [
        ("skgen.preprocessing", "Preprocessing", "Mixed-type tables in and out of the networks."),
        ("skgen.metrics", "Metrics", "Synthetic against real data: fidelity, utility, privacy."),
        ("skgen.plotting", "Plotting", "Displays in scikit-learn's idiom (needs ``skgen[plotting]``)."),
        ("skgen.accelerate", "Multi-GPU training", "Opt-in data parallelism through Hugging Face accelerate."),
        ("skgen.streaming", "Data larger than memory", "Training from chunks: parquet files, dask DataFrames."),
    ]:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        names = _public(module)
        if module_name == "skgen.accelerate":  # one generated twin stands for all of them
            names = [n for n in names if not n.startswith("Accelerated")] + ["AcceleratedMixin", "AcceleratedVAE"]
        if names:
            sections.append((title, module_name, names, intro))
    sections.append(("Utilities", "skgen.utils.discovery", ["all_estimators"],
                     "Discovery of the public estimators."))
    lines = [
        "API reference",
        "=============",
        "",
        "Generated from skgen's public namespaces by ``docs/conf.py``.",
        "",
    ]
    for section in sections:
        lines += _section(section[0], section[1], section[2], section[3])
    text = "\n".join(lines)
    current = {f"{module}.{name}" for _, module, names, _ in sections for name in names}
    for stale in (HERE / "generated").glob("*.rst"):  # pages of names no longer public
        if stale.stem not in current:
            stale.unlink()
    path = HERE / "api.rst"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


write_api_page()


# -- Pages that other work adds to docs/ join the site even before index.md lists them:
# docs/_other_pages.md (generated, included at the end of index.md) holds a toctree of
# every top-level page that no toctree of index.md names.
def write_other_pages():
    import fnmatch

    index = (HERE / "index.md").read_text()
    listed = []
    for block in re.findall(r"```\{toctree\}(.*?)```", index, flags=re.S):
        listed += [line.strip() for line in block.splitlines()
                   if line.strip() and not line.strip().startswith(":")]
    pages = sorted(p.stem for p in HERE.glob("*.md") if not p.name.startswith("_"))
    others = [p for p in pages if p != "index" and not any(fnmatch.fnmatch(p, pat) for pat in listed)]
    text = ""
    if others:
        text = "```{toctree}\n:caption: More\n:maxdepth: 1\n:hidden:\n\n" + "\n".join(others) + "\n```\n"
    path = HERE / "_other_pages.md"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


write_other_pages()


# -- Inherited scikit-learn docstrings point at labels of scikit-learn's own site
# (``:ref:`metadata_routing```, ``:term:`fit```). The site is built offline, without
# intersphinx, so those become plain text instead of broken links.
_FOREIGN_REFTYPES = {"ref", "term"}


def _foreign_reference(app, env, node, contnode):
    # A docstring may name a user-guide page that its author has not landed yet; the
    # name stays plain text (no broken link) and the build notes it, without failing.
    if node.get("reftype") == "doc" and "docstring of" in (node.source or ""):
        from sphinx.util import logging as sphinx_logging

        sphinx_logging.getLogger(__name__).info(
            f"docstring reference to a missing page {node.get('reftarget')!r} left as text"
        )
        return contnode
    if node.get("refdomain") == "std" and node.get("reftype") in _FOREIGN_REFTYPES:
        source = node.source or ""
        if "site-packages" in source or "docstring of sklearn." in source or node.get("reftype") == "term":
            return contnode
    return None


# -- Docstring hygiene, applied to every docstring before/after numpydoc ------------
_LITERAL = re.compile(r"(`+)[^`]*?\1|:\w+:`[^`]*`")
_TRAILING_UNDERSCORE = re.compile(r"(?<![\w*`\\])([A-Za-z]\w*_)(?![\w`*])")


def _join_continuations(app, what, name, obj, options, lines):
    """Raw docstrings keep the ``\\`` that continues a long ``name : type`` line."""
    i = 0
    while i < len(lines) - 1:
        if lines[i].rstrip().endswith("\\") and not lines[i].lstrip().startswith(">>>"):
            lines[i] = lines[i].rstrip()[:-1].rstrip() + " " + lines.pop(i + 1).strip()
        else:
            i += 1


def _escape_fitted_names(app, what, name, obj, options, lines):
    """A bare ``n_iter_`` in prose is a reST reference; make it a literal instead."""
    in_literal_block = False
    literal_indent = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if in_literal_block:
            if stripped and indent <= literal_indent:
                in_literal_block = False
            else:
                continue
        if stripped.endswith("::") or stripped.startswith((".. math", ".. code", ">>>", "...")):
            in_literal_block = stripped.endswith("::") or stripped.startswith((".. math", ".. code"))
            literal_indent = indent
            continue
        parts, last = [], 0
        for match in _LITERAL.finditer(line):
            parts.append(_TRAILING_UNDERSCORE.sub(r"``\1``", line[last : match.start()]))
            parts.append(match.group(0))
            last = match.end()
        parts.append(_TRAILING_UNDERSCORE.sub(r"``\1``", line[last:]))
        lines[i] = "".join(parts)


def setup(app):
    app.connect("missing-reference", _foreign_reference)
    app.connect("autodoc-process-docstring", _join_continuations, priority=100)
    app.connect("autodoc-process-docstring", _escape_fitted_names, priority=900)

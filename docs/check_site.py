"""Check a built documentation site: gallery figures and internal links.

Usage: ``python docs/check_site.py [docs/_build/html]`` (after ``make -C docs html``).

* every ``docs/examples/plot_*.py`` has a gallery page, and that page shows at
  least one figure (an ``<img>`` of ``images/sphx_glr_plot_*.png`` that exists);
* every ``docs/*.md`` page was built;
* every internal link (``href``/``src`` without a scheme) of every page points
  at a file of the site, and its ``#fragment``, if any, at an ``id`` of that page.

Exits with status 1 and lists the problems if any check fails.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

DOCS = Path(__file__).resolve().parent


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []  # (tag, attribute, url)
        self.ids = set()
        self.images = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src"):
            if attrs.get(name) is not None and tag in ("a", "img", "link", "script", "source"):
                self.links.append((tag, name, attrs[name]))
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def _parse(path, cache):
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def check_site(site, docs=DOCS):
    """Return the list of problems found in the built site ``site``."""
    site = Path(site).resolve()
    problems = []
    if not (site / "index.html").exists():
        return [f"{site}/index.html does not exist: build the site first (make -C docs html)."]
    cache = {}
    # 1. gallery pages and their figures
    for script in sorted((docs / "examples").glob("plot_*.py")):
        page_path = site / "auto_examples" / f"{script.stem}.html"
        if not page_path.exists():
            problems.append(f"gallery page missing for {script.name}: {page_path}")
            continue
        figures = [
            src for src in _parse(page_path, cache).images
            if "sphx_glr_" in src and "thumb" not in src
            and (page_path.parent / unquote(urlsplit(src).path)).exists()
        ]
        if not figures:
            problems.append(f"{page_path.relative_to(site)} shows no figure of its example")
    # 2. every Markdown page is part of the site
    for page in sorted(p for p in docs.glob("*.md") if not p.name.startswith("_")):
        if not (site / f"{page.stem}.html").exists():
            problems.append(f"docs/{page.name} was not built (missing from the toctree?)")
    # 3. internal links
    for path in sorted(site.rglob("*.html")):
        if {"_sources", "_modules", "_static"} & set(path.relative_to(site).parts):
            continue
        for tag, attribute, url in _parse(path, cache).links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site)}: <{tag} {attribute}={url!r}>"
            if not target.exists():
                problems.append(f"{where} points at a missing file")
                continue
            if parts.fragment and target.suffix == ".html" and tag == "a":
                if parts.fragment not in _parse(target, cache).ids:
                    problems.append(f"{where} points at a missing anchor")
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0]) if argv else DOCS / "_build" / "html"
    problems = check_site(site)
    for problem in problems:
        print(problem)
    n_pages = len(list(Path(site).rglob("*.html")))
    print(f"check_site: {n_pages} pages, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

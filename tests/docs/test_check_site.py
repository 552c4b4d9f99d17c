"""docs/check_site.py finds missing gallery figures and broken internal links."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check_site_module():
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs" / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_check_site_reports_missing_figures_pages_and_links(tmp_path):
    check_site = _check_site_module().check_site
    docs, site = tmp_path / "docs", tmp_path / "site"
    _write(docs / "examples" / "plot_a.py", '"""A"""')
    _write(docs / "examples" / "plot_b.py", '"""B"""')
    _write(docs / "examples" / "plot_c.py", '"""C"""')
    _write(docs / "guide.md", "# Guide")
    _write(docs / "orphan.md", "# Orphan")
    _write(site / "index.html", '<a href="guide.html#intro">guide</a> <a href="gone.html">x</a>'
                                '<a href="https://example.org/">ext</a> <a href="#top">top</a>')
    _write(site / "guide.html", '<h1 id="intro">Guide</h1><a href="index.html#nowhere">back</a>')
    _write(site / "auto_examples" / "plot_a.html", '<img src="images/sphx_glr_plot_a_001.png">')
    (site / "auto_examples" / "images").mkdir()
    (site / "auto_examples" / "images" / "sphx_glr_plot_a_001.png").write_bytes(b"png")
    _write(site / "auto_examples" / "plot_b.html", '<img src="images/thumb/sphx_glr_plot_b_thumb.png">')
    (site / "auto_examples" / "images" / "thumb").mkdir()
    (site / "auto_examples" / "images" / "thumb" / "sphx_glr_plot_b_thumb.png").write_bytes(b"png")
    problems = check_site(site, docs=docs)
    text = "\n".join(problems)
    assert "plot_a" not in text
    assert "plot_b.html shows no figure" in text
    assert "gallery page missing for plot_c.py" in text
    assert "docs/orphan.md was not built" in text and "guide.md" not in text
    assert "gone.html" in text and "missing file" in text
    assert "index.html#nowhere" in text and "missing anchor" in text
    assert "#top" in text  # an anchor of the page itself that does not exist
    assert "example.org" not in text
    assert len(problems) == 6, problems

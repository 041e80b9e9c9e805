"""The built site is what a reader gets: pages and their assets, readable offline.

The site is built once (``mkdocs build --strict``, as ``make docs`` does) into a temporary
folder. Its diagrams must render with no network: the theme fetches mermaid from a CDN unless
the page has loaded it already, so every page with a diagram must load the copy served with
the site.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.xdist_group("docs_site")  # (one worker builds the site, once)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CDN = re.compile(r"unpkg\.com|jsdelivr\.net|cdnjs\.|esm\.sh|skypack", re.I)
SCRIPT = re.compile(r'<script[^>]*\bsrc="([^"]+)"', re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_the_docs_folder_holds_no_build_code() -> None:
    # mkdocs publishes every file under docs/ that is not a page.
    assert sorted(str(p.relative_to(ROOT)) for p in DOCS.rglob("*.py")) == []


def test_the_site_publishes_no_python(site: Path) -> None:
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*.py")) == []


def test_no_page_loads_a_script_from_elsewhere(site: Path) -> None:
    offenders = [
        f"{page.relative_to(site)}: {src}"
        for page in site.rglob("*.html")
        for src in SCRIPT.findall(page.read_text())
        if "://" in src or src.startswith("//")
    ]
    assert offenders == []


def test_every_diagram_loads_the_mermaid_served_with_the_site(site: Path) -> None:
    pages = [p for p in site.rglob("*.html") if 'class="mermaid"' in p.read_text()]
    assert pages, "no page has a diagram: the docs have several"
    for page in pages:
        html = page.read_text()
        assert not CDN.search(html), page
        local = [
            (page.parent / src).resolve()
            for src in SCRIPT.findall(html)
            if re.search(r"mermaid[^/]*\.js$", src)
        ]
        assert len(local) == 1, (page, local)
        script = local[0]
        assert script.is_file() and script.is_relative_to(site.resolve()), script
        # Defines the global the theme looks for before it reaches for the CDN.
        assert 'globalThis["mermaid"]' in script.read_text()[-2000:], script


def test_the_theme_reaches_for_a_cdn_only_without_a_mermaid_global(site: Path) -> None:
    # What serving mermaid with the site relies on, in the theme's bundle: a theme upgrade
    # that changes it must fail here, not in a reader's browser.
    (bundle,) = site.glob("assets/javascripts/bundle.*.min.js")
    loaders = re.findall(r'.{60}"https://unpkg\.com/mermaid[^"]*"', bundle.read_text())
    assert loaders, "the theme no longer loads mermaid from unpkg: check how it does now"
    assert all('typeof mermaid=="undefined"' in x for x in loaders), loaders


@pytest.fixture
def mermaid_hook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    monkeypatch.syspath_prepend(str(ROOT / "docs_build"))
    import mermaid

    monkeypatch.setattr(mermaid, "CACHE", tmp_path / "mermaid.min.js")
    return mermaid


def test_a_cached_mermaid_that_is_not_the_pinned_one_fails_the_build(mermaid_hook: Any) -> None:
    from mkdocs.exceptions import PluginError

    mermaid_hook.CACHE.write_text("globalThis.mermaid = 'something else'")
    with pytest.raises(PluginError, match="is not the mermaid 11"):
        mermaid_hook.on_config(None)


def test_without_npm_the_build_says_what_it_needs(
    mermaid_hook: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mkdocs.exceptions import PluginError

    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it, and nothing cached
    with pytest.raises(PluginError, match="needs npm"):
        mermaid_hook.on_config(None)
    assert not mermaid_hook.CACHE.exists()

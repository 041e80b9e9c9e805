"""mkdocs hook: serve mermaid with the site, so that diagrams render offline.

The theme draws ```` ```mermaid ```` blocks with mermaid, which it fetches from unpkg unless a
``mermaid`` global exists when the page's diagrams are drawn (after the page has loaded). So
the site ships npm's ``mermaid`` build and loads it on every page.

The file is fetched once with ``npm pack`` (only the package's tarball, none of its
dependencies: ``dist/mermaid.min.js`` is self-contained) into ``.docs-cache/``, which git
ignores, and checked against the digest pinned here. A missing npm, no registry or a digest
that does not match fails the build with a message that says which.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

# The theme is written against mermaid 11 (it fetches mermaid@11). To upgrade: change the
# version, run `make docs`, and pin the digest it reports.
VERSION = "11.17.2"
SHA256 = "581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8"
CACHE = Path(__file__).resolve().parents[1] / ".docs-cache" / f"mermaid-{VERSION}.min.js"
SITE_PATH = f"assets/javascripts/mermaid-{VERSION}.min.js"  # versioned: no stale caches
MEMBER = "package/dist/mermaid.min.js"


def on_config(config: MkDocsConfig, **_: Any) -> MkDocsConfig:
    _vendor()
    # A plain script, so it has run by DOMContentLoaded, when the theme draws the diagrams
    # and looks for the global.
    config.extra_javascript.append(SITE_PATH)
    return config


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    files.append(File.generated(config, SITE_PATH, abs_src_path=str(CACHE)))
    return files


def _vendor() -> None:
    if CACHE.is_file():
        _check(CACHE.read_bytes(), f"{CACHE} (delete it to fetch it again)")
        return
    script = _fetch()
    _check(script, f"npm's mermaid@{VERSION}")
    CACHE.parent.mkdir(exist_ok=True)
    # Written aside, then renamed: a build stopped halfway, or two at once, leave no half file.
    with tempfile.NamedTemporaryFile(dir=CACHE.parent, suffix=".part", delete=False) as part:
        part.write(script)
    Path(part.name).replace(CACHE)


def _fetch() -> bytes:
    npm = shutil.which("npm")
    if npm is None:
        raise PluginError(
            f"the docs serve mermaid {VERSION} with the site, and fetching it once needs npm "
            "(`make system-deps` installs it)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", f"mermaid@{VERSION}", "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        tarballs = list(Path(tmp).glob("mermaid-*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            raise PluginError(f"npm pack mermaid@{VERSION} failed: {done.stderr.strip()[-500:]}")
        with tarfile.open(tarballs[0]) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise PluginError(f"mermaid@{VERSION} has no {MEMBER}")
            return member.read()


def _check(script: bytes, source: str) -> None:
    digest = hashlib.sha256(script).hexdigest()
    if digest != SHA256:
        raise PluginError(
            f"{source} is not the mermaid {VERSION} pinned in docs_build/mermaid.py: "
            f"sha256 {digest}, expected {SHA256}"
        )

"""A new user's first hour (a review on a fresh machine): what the docs tell them to install
is there to install, and an example that needs what rtagents does not install says so."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_extras import without

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.M | re.S)
# The modules a user has after `pip install .` plus the extras; what else a page's runnable
# code imports must be named on that page with `pip install`.
NOT_INSTALLED_BY_RTAGENTS = {
    "opentelemetry.sdk": "opentelemetry-sdk",
    "opentelemetry.exporter": "opentelemetry-exporter-otlp-proto-http",
}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_page_tells_users_to_pip_install_rtagents_from_pypi(page: Path) -> None:
    # rtagents is not on PyPI (quickstart.md, README): a bare `pip install rtagents` fails
    # with "No matching distribution found" (and installs whatever someone registers later).
    bare = re.findall(r"pip install rtagents(?![\w\[.-])", page.read_text())
    assert not bare, f"{page.name}: {bare}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_a_page_says_how_to_install_what_its_code_imports(page: Path) -> None:
    text = page.read_text()
    runnable = "\n".join(b for b in BLOCK.findall(text) if not b.startswith("# not run"))
    for module, dist in NOT_INSTALLED_BY_RTAGENTS.items():
        if re.search(rf"^\s*(from|import) {re.escape(module)}\b", runnable, re.M):
            assert re.search(rf"pip install [^\n`]*{re.escape(dist)}", text), (
                f"{page.name} runs `{module}` but never says `pip install {dist}`"
            )


def test_the_tracing_example_without_the_sdk_says_what_to_install(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tracing_console.py"), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=without(tmp_path, "opentelemetry.sdk"),
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-600:]
    assert "pip install opentelemetry-sdk" in result.stderr


def test_demo_real_without_a_key_is_said_as_run_says_it() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "rtagents", "demo", "--real"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2 and done.stdout == "", (done.returncode, done.stdout)
    assert done.stderr.strip() == (
        "rtagents demo: --real needs an API key: set OPENAI_API_KEY (or leave --real out)"
    )

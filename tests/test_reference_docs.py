"""The API reference: every public name has an entry, and nothing renders as raw markup."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "reference"
PACKAGES = [
    "rtagents",
    "rtagents.tools",
    "rtagents.approvals",
    "rtagents.mcp",
    "rtagents.session",
    "rtagents.emulator",
    "rtagents.testing",
    "rtagents.calls",
    "rtagents.audio",
]
NOT_API = {"mcp", "protocol", "__version__", "annotations"}  # subpackages, metadata


def documented() -> set[str]:
    text = "\n".join(p.read_text() for p in REFERENCE.glob("*.md"))
    return {name.rsplit(".", 1)[-1] for name in re.findall(r"^::: ([\w.]+)", text, re.M)}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_has_a_reference_entry(package: str) -> None:
    names = set(importlib.import_module(package).__all__) - NOT_API
    assert sorted(names - documented()) == []


def test_every_framework_event_is_in_the_events_reference() -> None:
    from typing import get_args

    from rtagents.session import FrameworkEventType

    events = (REFERENCE / "events.md").read_text()
    for cls in get_args(FrameworkEventType):
        assert f".{cls.__name__}\n" in events, cls.__name__


def test_the_build_rejects_an_unrendered_role() -> None:
    sys.path.insert(0, str(ROOT / "docs_build"))
    from markup import on_page_content

    class Page:
        class file:
            src_path = "x.md"

    assert on_page_content("<p>plain</p>", page=Page) == "<p>plain</p>"
    with pytest.raises(Exception, match="unrendered Sphinx role"):
        on_page_content("<p>see :class:`Toolset`</p>", page=Page)


def test_no_docstring_uses_a_sphinx_role() -> None:
    role = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):`")
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "rtagents").rglob("*.py")
        if role.search(p.read_text())
    ]
    assert offenders == []


def test_code_blocks_fit_the_page() -> None:
    wide = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        in_block = False
        for n, line in enumerate(page.read_text().splitlines(), 1):
            if line.startswith("```"):
                in_block = not in_block
            elif in_block and len(line) > 92:
                wide.append(f"{page.name}:{n}")
    assert wide == []

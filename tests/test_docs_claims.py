"""The docs say what the code does today.

A page that promises a feature for later goes stale the day the feature lands, and then tells a
newcomer it is missing. So the docs describe what exists; what does not exist is stated as a
fact ("none"), never as a plan.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
PROMISE = re.compile(
    r"\b(not yet|planned|not built|coming|TODO|TBD|FIXME|in a future"
    r"|will (?:soon )?be (?:added|supported|built))\b",
    re.I,
)
# (page, phrase) pairs that are still true, with the reason. Keep it tiny.
STILL_TRUE: set[tuple[str, str]] = set()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_no_page_promises_for_later(page: Path) -> None:
    stale = [
        f"{page.name}:{n}: {line.strip()}"
        for n, line in enumerate(page.read_text().splitlines(), 1)
        for found in PROMISE.findall(line)
        if (page.name, found.lower()) not in STILL_TRUE
    ]
    assert stale == []


def test_the_comparison_says_what_it_was_checked_against_and_when() -> None:
    text = (ROOT / "docs" / "comparison.md").read_text()
    checked = re.search(r"Checked on (\d{4}-\d{2}-\d{2}) against (.+?)\n\n", text, re.S)
    assert checked, "the page must say when, and against which versions, it was checked"
    against = checked.group(2)
    for peer in ("openai-agents", "@openai/agents-realtime", "pipecat-ai", "livekit-agents"):
        assert re.search(rf"{re.escape(peer)} \d+\.\d+\.\d+", against), peer


def test_the_mcp_import_tutorials_use_fails_as_the_mcp_page_says() -> None:
    # docs/mcp.md: mcp 1.x's FastMCP import fails in mcp 2.x; MCPServer is its new name.
    page = (ROOT / "docs" / "mcp.md").read_text()
    assert "from mcp.server.fastmcp import FastMCP" in page
    assert "from mcp.server.mcpserver import MCPServer" in page
    with pytest.raises(ModuleNotFoundError, match="MCPServer"):
        import mcp.server.fastmcp  # noqa: F401
    from mcp.server.mcpserver import MCPServer

    assert callable(MCPServer.tool)

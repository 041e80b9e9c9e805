"""A local MCP server whose tools/list pagination never ends (it hands back the same cursor
every time) must not hang connect() forever: connect_timeout bounds the handshake and the
listing, and a cursor seen before is a server bug to stop at."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest

from rtagents.mcp import MCPConnectError, MCPServerStdio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

PAGING_SERVER = str(Path(__file__).with_name("paging_server.py"))


async def test_a_server_whose_listing_repeats_its_cursor_does_not_hang_connect() -> None:
    server = MCPServerStdio(sys.executable, [PAGING_SERVER], name="paging", connect_timeout=1)
    outcome = "hung"
    with anyio.move_on_after(4):
        try:
            async with server:
                outcome = f"connected with {len(server.listed)} tools listed"
        except MCPConnectError as exc:
            outcome = f"refused: {exc}"
    await server.close()
    assert outcome != "hung", "connect() still listing the same page after 6 s (connect_timeout=1)"
    assert len(server.listed) < 1000, f"listed {len(server.listed)} copies of the same tool"

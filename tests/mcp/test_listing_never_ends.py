"""A local MCP server whose tools/list pagination never ends, with a new cursor on every page,
hangs ``connect()`` for good.

docs/failures.md: "a local MCP server never answers when starting | `connect` raises
`MCPConnectError` ... after `connect_timeout`"; ``MCPServer._connect``: "The client's own read
timeout bounds the handshake and the listing". It bounds each page's request only: a server
that answers every page at once, each with a cursor it never gave before, is listed for ever
(``tools.every_tool`` stops only at a cursor seen before), the listed tools piling up in memory.
The same listing runs for a session's relisting (``tools/list_changed``) and for a hosted
server in the emulator. Observed: still listing 15 s into a connect with ``connect_timeout=1``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest

from rtagents.mcp import MCPConnectError, MCPServerStdio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ENDLESS_SERVER = str(Path(__file__).with_name("endless_paging_server.py"))


async def test_a_listing_that_never_ends_is_bounded_by_connect_timeout() -> None:
    server = MCPServerStdio(sys.executable, [ENDLESS_SERVER], name="endless", connect_timeout=1)
    outcome = "hung"
    with anyio.move_on_after(8):
        try:
            async with server:
                outcome = f"connected with {len(server.listed)} tools listed"
        except MCPConnectError as exc:
            outcome = f"refused: {exc}"
    await server.close()
    assert outcome != "hung", "connect() still listing after 8 s (connect_timeout=1)"
    assert outcome.startswith("refused"), outcome

"""docs/failures.md: a local MCP server that does not start makes ``connect`` raise
``MCPConnectError`` "naming the cause". A server that refuses ``initialize`` at once, with an
error whose words say "timed out" (its own upstream's timeout: a licence server, a database),
is named by that cause: only a time limit's error (ours, a transport's, the MCP client's
``REQUEST_TIMEOUT``) is a timeout. Before, ``is_timeout`` read the message's words, and the
server was told as one that never answered within ``connect_timeout``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio
import pytest

from rtagents.mcp import MCPConnectError, MCPServerStdio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
SERVER = str(Path(__file__).with_name("refusing_server.py"))


async def test_a_refusal_that_mentions_a_timeout_is_named_not_taken_for_silence() -> None:
    cause = "license check failed: the license server timed out"
    server = MCPServerStdio(sys.executable, [SERVER, cause], name="licensed", connect_timeout=10)
    started = time.monotonic()
    with anyio.fail_after(20), pytest.raises(MCPConnectError) as raised:
        await server.connect()
    took = time.monotonic() - started
    assert took < 5  # it answered at once: no timeout ran out
    assert cause in str(raised.value), f"after {took:.1f} s: {raised.value}"

"""A local MCP server's ``timeout=`` is checked when the server is made, as ``@tool``'s
``timeout=`` and the server's own ``connect_timeout=`` are.

Bad input gets a clear error. ``MCPServer.__init__`` refuses a non-positive
``connect_timeout`` but takes any ``timeout``: ``timeout=-1`` times every call out at once
("no result after -1 s"), ``timeout=0`` is silently the agent's default, NaN fails every
call with "deadline must not be NaN", and ``"5"`` with a ``TypeError`` out of the deadline's
arithmetic, each told to the model as a failed tool, call after call.
"""

from __future__ import annotations

import sys

import pytest

import rtagents
from rtagents.mcp import MCPServerStdio


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), "5"])
def test_a_bad_timeout_is_refused_when_made(timeout: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        rtagents.tool(timeout=timeout)(lambda: "ok")  # type: ignore[arg-type]  # (as @tool does)
    with pytest.raises((ValueError, TypeError)):
        MCPServerStdio(sys.executable, ["server.py"], timeout=timeout)  # type: ignore[arg-type]

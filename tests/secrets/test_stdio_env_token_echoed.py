"""failures.md (Secrets): "A local MCP server's error that quotes what it was given (`token
... rejected`) is masked in MCPConnectError"; the brief's rule: an MCP server's headers and
env values never appear in logs, errors or reprs. ``MCPServerHTTP`` holds its header values
as secrets while it lives, ``MCPServerStdio`` holds none of its ``env`` values: a stdio
server refusing ``initialize`` with an error quoting the token it was given in its
environment has the token copied verbatim into the ``MCPConnectError`` (and the log)."""

from __future__ import annotations

import sys
import traceback

import anyio
import pytest

from rtagents.mcp import MCPConnectError, MCPServerStdio

pytestmark = pytest.mark.anyio

TOKEN = "envtok-secret-31337xyz"

# A server that reads the initialize request and refuses it, quoting its credential (as an
# auth wrapper does: "token ... rejected").
REFUSING = r"""
import json, os, sys
line = sys.stdin.readline()
request = json.loads(line)
message = "token %s rejected" % os.environ["CRM_TOKEN"]
error = {"code": -32001, "message": message}
sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": request.get("id"), "error": error}) + "\n")
sys.stdout.flush()
sys.stdin.read()
"""


async def test_an_env_token_echoed_by_a_stdio_server_stays_out_of_the_connect_error(
    log_lines: list[str],
) -> None:
    server = MCPServerStdio(
        sys.executable, ["-c", REFUSING], env={"CRM_TOKEN": TOKEN}, name="crm", connect_timeout=10
    )
    with anyio.fail_after(20), pytest.raises(MCPConnectError) as caught:
        async with server:
            pass
    message = str(caught.value)
    assert "rejected" in message, message  # the server's refusal is what is said
    shown = "".join(traceback.format_exception(caught.value))
    leaked = [line for line in log_lines if TOKEN in line]
    assert TOKEN not in shown, message
    assert leaked == [], leaked


async def test_a_command_line_token_echoed_by_a_stdio_server_stays_out_of_the_error() -> None:
    """The repr hides the arguments ("Tokens travel on command lines (--token=...) as in
    env: neither is shown"), but they are no secret anywhere else."""
    script = REFUSING.replace('os.environ["CRM_TOKEN"]', "sys.argv[2]")
    server = MCPServerStdio(
        sys.executable, ["-c", script, "--token", TOKEN], name="crm", connect_timeout=10
    )
    assert TOKEN not in repr(server)
    with anyio.fail_after(20), pytest.raises(MCPConnectError) as caught:
        async with server:
            pass
    assert "rejected" in str(caught.value)
    assert TOKEN not in "".join(traceback.format_exception(caught.value)), str(caught.value)

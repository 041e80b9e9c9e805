"""A hosted MCP tool given before the session opens is never connected.

With the openai Node SDK, a server mints a client secret with the session's tools
(``client.realtime.clientSecrets.create({session: {tools: [{type: 'mcp', ...}]}})``) and the
browser opens the websocket with it; or a SIP call is accepted with its tools
(``client.realtime.calls.accept(callId, {tools: [...]})``) and the sideband attaches. The
session's ``session.created`` lists the MCP tool, and the client need send no
``session.update``.

The emulator starts such a session with ``config.start_with``, which sets the session but
never starts the hosted servers' listing (``core.hosted.configure``): only the
``session.update`` handler does. So no ``mcp_list_tools`` item comes, the model cannot see
the server's tools, and a call of one fails with "no MCP server labelled 'notes'" (a 502
``http_error``), although the server is up and the same tool given by ``session.update``
works.
"""

from __future__ import annotations

import json
import os

import anyio
import pytest

from rtagents.emulator import CallMCP, Emulator, ScriptedModel
from tests.calls.harness import SECRET
from tests.emulator.test_node_client import HERE, KEY, node_ready
from tests.mcp.servers import http_notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("node")]


@pytest.mark.parametrize("mode", ["secret", "accept"])
async def test_a_hosted_mcp_tool_configured_before_the_session_opens_is_listed_and_called(
    mode: str,
) -> None:
    command = [*node_ready()[:-1], "hosted_mcp_configured.mjs"]
    model = ScriptedModel([[CallMCP("notes", "lookup", {"key": "greeting"})]])
    async with http_notes_server() as mcp_url, Emulator(model=model, tls=True, api_key=KEY) as emu:
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(emu.certificate)}
        args = [mode, emu.http_url, KEY, mcp_url, call_id]
        with anyio.fail_after(30):
            done = await anyio.run_process([*command, *args], cwd=HERE, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert "mcp_list_tools.completed" in result["seen"], result["seen"]
    call = next(item for item in result["output"] if item["type"] == "mcp_call")
    assert call["error"] is None, call["error"]

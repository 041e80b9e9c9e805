"""A streamable HTTP MCP server behind a reverse proxy (nginx, a load balancer, Cloud Run) that
dies mid-session shows as the proxy's ``502 Bad Gateway``; one whose token was revoked, as a
``401``. Its calls are ``unavailable``, the status named, and ``mcp.server.failed`` is emitted
(docs/mcp.md). They were told to the model as ordinary tool errors ("try another way"),
naming no status."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.testing import serve_mcp_http

from . import notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


class BehindAProxy:
    """The notes server behind a proxy whose backend can be taken down (every POST a 502)."""

    def __init__(self, status: int = 502) -> None:
        self.down, self.status = False, status

    def streamable_http_app(self) -> Any:
        inner = notes_server.server.streamable_http_app()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and self.down and scope["method"] == "POST":
                headers = [(b"content-type", b"text/html")]
                start = {"type": "http.response.start", "status": self.status, "headers": headers}
                await send(start)
                await send({"type": "http.response.body", "body": b"<h1>502 Bad Gateway</h1>"})
                return
            await inner(scope, receive, send)

        return app


@pytest.mark.parametrize("status", [502, 401])
async def test_a_server_gone_behind_its_proxy_is_unavailable(status: int) -> None:
    proxy = BehindAProxy(status)
    events: list[Any] = []
    async with serve_mcp_http(proxy) as url:
        server = MCPServerHTTP(url, name="notes", needs_approval=False)
        gone: list[bool] = []
        agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
        turns = [CallFunction("lookup", {"key": "greeting"}, call_id="c"), echo]
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                proxy.down = True  # the backend died; its proxy answers for it
                await session.send_text("look it up")
                with anyio.fail_after(15):
                    async for event in session:
                        events.append(event)
                        if event.type == "response.output_text.done":
                            break
                    else:
                        pytest.fail("the session ended before the answer")
                gone.append(not server.connected)
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    # (It was told as kind "error": "MCPError: Server returned an error response".)
    assert failed.kind == "unavailable", (failed.kind, failed.message)
    assert json.loads(failed.output)["error"] == "unavailable"
    assert str(status) in failed.message, failed.message
    assert [e for e in events if e.type == "mcp.server.failed"], [e.type for e in events]
    # A gateway's 502 says the server is away for now: its connection is kept for the calls
    # after; a 401 (its token revoked) ends it, and the next connect starts another.
    assert gone == [status == 401]

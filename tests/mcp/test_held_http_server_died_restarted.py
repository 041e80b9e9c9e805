"""A streamable-HTTP server held open around sessions (``async with server:``) that died while
idle is, as docs/mcp.md says of a server held open, "no longer `connected`: its calls get
`unavailable` outputs, and the next `connect()` (a session's, or yours, or a session's inside
your own `async with server:`) starts it again".

For an HTTP server the death is seen by ``MCPServer._hold`` as its client's exception (the
log says "went away: ConnectError: All connection attempts failed"), not by the idle ping's
``_answers``: ``_failed`` is set, but ``_client`` is left on the dead client. So ``connected``
stays True, and 0913e59's restart in ``__aenter__`` (``self._client is None``) never fires:
the next session gets the dead client, and its call fails, though the server is back."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.mcp import local as mcp_local
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_a_held_http_server_that_died_is_started_again_by_the_next_session(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(mcp_local, "IDLE_PING_S", 0.2)
    port = free_port()
    proc = launch(port)
    server = MCPServerHTTP(
        f"http://127.0.0.1:{port}/mcp", name="notes", needs_approval=False, connect_timeout=5
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    turns = [CallFunction("lookup", {"key": "greeting"}, call_id="l"), "done"]
    try:
        async with server:  # held open across sessions (the phone-app pattern)
            proc.kill()
            await anyio.to_thread.run_sync(proc.wait)
            with anyio.fail_after(15):  # its death is noticed (and logged)
                while "went away" not in caplog.text:
                    await anyio.sleep(0.05)
            assert not server.connected, "a server found gone is still `connected`"
            proc = launch(port)  # back, on the same URL
            async with Emulator(model=ScriptedModel(turns)) as emu:
                async with rtagents.connect(agent, transport=emu.transport()) as session:
                    with anyio.fail_after(15):
                        events = await session.ask("look it up")
            outputs = {
                e.call_id: e.output
                for e in events
                if e.type in ("tool.call.completed", "tool.call.failed")
            }
            assert outputs.get("l") == "hello from MCP", outputs
    finally:
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)

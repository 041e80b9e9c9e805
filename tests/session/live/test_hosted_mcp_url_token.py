"""GPT-Live: a hosted MCP server_url token reaches the app's events.

Right behaviour: as on Realtime (session/wire.py redact, which runs redact_url on each mcp
tool's server_url), the session config a GPT-Live server echoes back (session.started,
session.updated) reaches the app with the server_url's query (and any user:password@)
removed; live_config.redact only masks `authorization` and `headers`.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
TOKEN = "livetok-31337abcdef"


async def test_session_started_does_not_show_a_hosted_mcp_url_token() -> None:
    hosted = rtagents.HostedMCP(
        server_label="docs",
        server_url=f"https://mcp.example.com/mcp?token={TOKEN}",
        require_approval="never",
    )
    agent = rtagents.Agent(name="a", tools=[hosted])
    seen: list[str] = []
    async with Emulator(model=ScriptedModel(["hello"])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as s:
            with anyio.move_on_after(1.5):
                async for event in s:
                    seen.append(event.model_dump_json())
                    if event.type == "session.started":
                        break
                else:
                    pytest.fail("the session ended before session.started")
    assert any('"session.started"' in e for e in seen)
    leaking = [e[:200] for e in seen if TOKEN in e]
    assert leaking == [], leaking

"""connect(page_client=True): check_taken runs whenever the session *takes* an agent, but a
reconnect (served.reconfigure) sends ``session.agent``'s configuration afresh, read from the
agent as it is now, without the page's rule: an agent changed in place after it was taken
(Agent.check's docstring: "an agent may be changed in place") reaches the page's session with
a hosted MCP server that asks for approval."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.calls.harness import accepted_call

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
FAST = Reconnect(backoff=0.01, max_backoff=0.05, jitter=0)
ASKS = HostedMCP("pay", "https://pay.example.com/mcp", require_approval="always")
NEVER = HostedMCP("docs", "https://docs.example.com/mcp", require_approval="never")


async def test_a_reconnect_never_gives_the_page_an_asking_server() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        call_id = await accepted_call(emu)
        desk = rtagents.Agent(name="desk", tools=[NEVER], output_modalities=["text"])
        events: list[Any] = []
        async with rtagents.connect(
            desk, url=emu.url, call_id=call_id, page_client=True, reconnect=FAST
        ) as s:
            s.on("*")(events.append)
            desk.tools = [NEVER, ASKS]  # changed in place, never given to update_agent
            emu.last.drop()
            with anyio.fail_after(10):
                while not any(e.type == "session.reconnected" for e in events):
                    if any(e.type == "session.closed" for e in events):
                        break
                    await anyio.sleep(0.02)
            labels = [t.get("server_label") for t in emu.last.session.get("tools", [])]
    assert "pay" not in labels, f"the page's session was given {labels}"

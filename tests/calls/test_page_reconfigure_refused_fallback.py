"""served.reconfigure: an agent taken offline and refused by the new connection is replaced
by the one the server ran (``session.use(served)``). On a page's session that ``use`` may
raise ValueError (the page's rule: the served agent changed in place since it was taken).
``upstream._resume`` only catches SessionConfigError: the ValueError escapes a spawned task
(a warning), and the session neither reconnects nor ends."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.errors import SessionConfigError
from rtagents.mcp import HostedMCP
from tests.calls.harness import accepted_call

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
ASKS = HostedMCP("pay", "https://pay.example.com/mcp", require_approval="always")


async def test_a_refused_fallback_on_reconnect_neither_stalls_nor_hides() -> None:
    triage = rtagents.Agent(name="triage", output_modalities=["text"])
    billing = rtagents.Agent(name="billing", voice="robot", output_modalities=["text"])  # refused
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([])) as emu:
        call_id = await accepted_call(emu)
        settings = Reconnect(backoff=0.3, max_backoff=0.3, jitter=0)
        async with rtagents.connect(
            triage, url=emu.url, call_id=call_id, reconnect=settings, page_client=True
        ) as session:
            session.on("*")(events.append)
            triage.tools = [ASKS]  # changed in place after it was taken
            emu.last.drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnecting":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            with contextlib.suppress(SessionConfigError):
                await session.update_agent(billing)
            outcome = None
            with anyio.move_on_after(8):
                async for event in session:
                    if event.type in ("session.reconnected", "session.closed"):
                        outcome = event.type
                        break
                else:
                    pytest.fail("the session's events ended without session.closed")
            warnings = [e.message for e in events if e.type == "session.warning"]
            labels = [t.get("server_label") for t in emu.last.session.get("tools", [])]
    assert "pay" not in labels
    assert outcome is not None, f"neither reconnected nor closed; warnings: {warnings}"

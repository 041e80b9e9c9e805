"""Rule broken: docs/session.md, "What is preserved": "Also lost: a response cut off
mid-stream ... (it is asked for again if it owed an answer to tool outputs or to your
``create_response``)", and the row "your ``create_response`` made while the connection is
down: sent on the new connection ... (an out-of-band one too)" (commit a9c527c).

The fix keeps an out-of-band request made while offline. One made a moment earlier, whose
response the drop cuts off, is lost: the app's ``create_response(conversation="none")`` is
never asked for again on the new connection, and the app is told nothing (an in-conversation
one is asked again: the ``Ask`` state machine's SENT/ANSWERING -> DROPPED -> HELD).
Over a real loopback socket.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)
SUMMARY = "one two three four five six seven eight nine ten eleven twelve"


async def test_an_out_of_band_request_cut_off_by_a_drop_is_asked_again() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([SUMMARY, SUMMARY]), realtime=False) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            session.on("*")(events.append)
            emu.last.add_fault(DropConnection(after="response.output_text.delta", nth=3))
            await session.create_response(conversation="none", instructions="Summarise.")
            with anyio.fail_after(5):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
            await anyio.sleep(1.0)
        second = emu.connections[1].received
    again = [
        f
        for f in second
        if f["type"] == "response.create"
        and (f.get("response") or {}).get("conversation") == "none"
    ]
    told = [e for e in events if e.type == "session.warning"]
    assert again or told, (
        "the app's out-of-band request, cut off by the drop, was not asked for again "
        "and the app was told nothing"
    )

"""An out-of-band response's function call is the app's: rtagents runs nothing for it and
sends nothing (docs/tools.md). On a call's sideband the server's session, and its responses,
go on while the sideband is down (docs/session.md: a sideband re-attaches and replays
nothing; the guardrail tests' "the call's answer goes on while the sideband is down"), so
the app's out-of-band response can finish after the re-attach. ``Playback.forget`` now
clears the out-of-band responses on every drop, sideband too, and warns they were "cut off":
the call that response makes after the re-attach is taken for a conversation call, the tool
runs and its output is sent into the call's conversation with a ``response.create``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05, jitter=0)
RAN: list[str] = []


@rtagents.tool
def classify(label: str) -> str:
    """Record the caller's intent."""
    RAN.append(label)
    return "recorded"


async def test_an_out_of_band_call_finished_after_a_sideband_reattach_stays_the_apps() -> None:
    RAN.clear()
    agent = rtagents.Agent(name="desk", tools=[classify])
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(
            agent, url=server.url, call_id="rtc_1", reconnect=FAST
        ) as session:
            session.on("*")(events.append)
            oob = {"id": "resp_oob", "status": "in_progress", "conversation_id": None, "output": []}
            await server.send({"type": "response.created", "response": oob})
            await anyio.sleep(0.1)
            await server.drop("close 1011")
            with anyio.fail_after(5):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
            # The call's session went on: the app's out-of-band response finishes now.
            item = call_item("classify", {"label": "billing"}, "call_oob")
            await server.output_item("done", item, response_id="resp_oob")
            done = {**oob, "status": "completed", "output": [item]}
            await server.send({"type": "response.done", "response": done})
            await anyio.sleep(0.5)
    assert RAN == [], "the app's out-of-band call was run by the session"
    assert server.outputs("call_oob") == []
    assert server.sent("response.create") == []

"""Rule broken: stay alive / nothing lost silently across a drop. The app's own request for
a response, made while the connection is down, is kept and sent on the next connection
("again on the next connection if a drop takes it", orchestrator.app_asked) - but only
when it is in the conversation. An out-of-band one (``create_response(conversation="none")``,
a summary, a classification) made in the same moment is thrown away: it is never sent on
the new connection, ``create_response`` returns as if it had been, and the app is told
nothing (no error, no ``session.warning``), so it waits for an answer that never comes.
Over a real loopback socket.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
SLOW = Reconnect(backoff=0.3, max_backoff=0.5, jitter=0)  # time to ask while offline


async def test_an_out_of_band_request_made_offline_is_sent_or_refused() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    events: list[Any] = []
    raised: list[BaseException] = []
    async with Emulator(model=ScriptedModel(["Hello.", "A summary."])) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=SLOW) as session:
            session.on("*")(events.append)
            await session.ask("Hi")
            emu.last.drop()
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "session.reconnecting":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            try:
                await session.create_response(conversation="none", instructions="Summarise.")
            except Exception as exc:  # a clear refusal would do
                raised.append(exc)
            with anyio.fail_after(5):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
            await anyio.sleep(0.5)
        second = emu.connections[1].received
    sent = [
        f
        for f in second
        if f["type"] == "response.create"
        and (f.get("response") or {}).get("conversation") == "none"
    ]
    told = [e for e in events if e.type == "session.warning"]
    assert sent or raised or told, (
        "the out-of-band request made while offline vanished: not sent on the new "
        "connection, and the app was told nothing"
    )

"""``session.drain(grace)``: "the tool calls in flight and background work finish (for at
most ``grace`` seconds) and their outputs are sent; then it closes" (session.py), and
docs/deployment.md: a draining session "closes once its tool calls in flight have finished
and their outputs have been sent. No output is lost".

A drain that starts while the session is reconnecting (a deploy's SIGTERM during a blip)
sees no call running, since the call finished while the connection was down, and closes at
once: the output, held for the next connection, never reaches any server, and nothing says
so (no ``session.warning``, unlike a session that ends by failing to reconnect).

Over a real loopback socket, on both APIs."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, ScriptedModel, audio

from .kit import NthFaults, outputs_in

pytestmark = pytest.mark.anyio
# Two seconds before the next connection: the call finishes well within the downtime.
SLOW = Reconnect(backoff=2.0, max_backoff=2.0, jitter=0)


@pytest.mark.parametrize("end", ["drain", "close"])
@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_a_drain_during_a_reconnect_sends_the_output_of_a_call_finished_meanwhile(
    api: str, end: str
) -> None:
    """``close`` instead (the app's, while the connection is down): the output cannot be
    sent, and a ``session.warning`` names its call, as when a drop ends the session."""
    release = anyio.Event()

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the customer's card."""
        await release.wait()
        return f"charged {amount}"

    modalities: dict[str, Any] = {"output_modalities": ["text"]} if api == "realtime" else {}
    agent = rtagents.Agent(name="shop", tools=[charge], **modalities)
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_c1"), "Done."])
    drop = DropConnection(after="response.done" if api == "realtime" else "response.completed")
    events: list[Any] = []
    async with NthFaults(model=model, per_connection={1: [drop]}) as emu:
        url = emu.url if api == "realtime" else emu.live_url
        async with rtagents.connect(agent, url=url, api=api, reconnect=SLOW) as session:
            session.on("*")(events.append)
            if api == "realtime":
                await session.send_text("Charge me 5.")
            else:
                await session.send_audio(audio.tone(600).tobytes())
                await session.send_audio(audio.silence(400).tobytes())
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnecting":
                        release.set()  # the call finishes while the connection is down
                    if event.type == "tool.call.completed":
                        break
                else:
                    pytest.fail("the session ended before the call finished")
            assert emu.opened == 1, "precondition: the call finished before the reconnect"
            with anyio.fail_after(10):
                await (session.drain(grace=8) if end == "drain" else session.close())
        conns = list(emu.connections)
    # The last connection's conversation: a new Realtime session given the conversation
    # back, or the one GPT-Live session every attached connection shares.
    delivered = outputs_in(conns[-1])["call_c1"]
    warned = [e for e in events if e.type == "session.warning" and "call_c1" in e.message]
    if end == "close":
        # GPT-Live's close opens one more connection, for its goodbye alone (the server would
        # keep the session, billed): the output is not sent there either.
        assert emu.opened == (2 if api == "live" else 1), emu.opened
        assert warned and delivered == 0, ([e.type for e in events][-4:], delivered)
        return
    assert delivered == 1, (
        f"drain closed the session with the finished call's output sent {delivered} times "
        f"({emu.opened} connection(s) opened; warned: {bool(warned)}; last events: "
        f"{[e.type for e in events][-4:]})"
    )

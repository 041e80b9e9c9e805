"""The app's own ``create_response(...)`` that loses the race with a response the server
started itself (server VAD): the server's ``response.created`` arrives first, then our
request is refused with ``conversation_already_has_active_response``.

docs/session.md: "A response.create rejected with conversation_already_has_active_response
(a race with server VAD) is asked for again once the conversation is free". Today the
orchestrator takes the server's own response (``response_started`` while the app's request
is in flight) as the answer to the app's request, and the busy refusal that follows names
a request no longer "in flight", so it is ignored: the app's request, with its parameters
(instructions, tool_choice, ...), is silently dropped and never sent again.

Right behaviour: the app's request is sent again, with its parameters, once the server's
own response has ended (a batch's request may count as answered by the racing response, as
it sees the outputs; the app's parameters are not honoured by it)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ModelContext, RaceResponse, Say
from rtagents.session.actions import AskResponse, ToolTraits
from rtagents.session.orchestrator import Orchestrator

pytestmark = pytest.mark.anyio
BUSY = "conversation_already_has_active_response"


def test_sans_io_the_apps_request_that_lost_the_race_goes_again() -> None:
    o = Orchestrator(lambda name, rid: ToolTraits(), "e")
    params = {"instructions": "Say goodbye."}
    [ask] = o.app_asked(params)
    o.response_started("r_vad", in_conversation=True)  # the server's own, started first
    o.refused(ask.ref, message="busy", code=BUSY)  # ours, refused as busy
    again = [d for d in o.response_ended("r_vad") if isinstance(d, AskResponse)]
    # Right: the app's request goes again with its own parameters.
    assert [a.params for a in again] == [params]


class Echo:
    def respond(self, ctx: ModelContext) -> list[Any]:
        return [Say(f"instructions={ctx.instructions}")]


async def test_the_apps_request_that_lost_the_race_is_asked_again() -> None:
    agent = rtagents.Agent(name="r", instructions="default", output_modalities=["text"])
    said: list[str] = []
    async with Emulator(model=Echo(), faults=[RaceResponse(nth=1)]) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.create_response(instructions="Say goodbye.")
            with anyio.move_on_after(2):
                async for event in session:
                    if event.type == "response.output_text.done":
                        said.append(event.text)
                        if "goodbye" in event.text:
                            break
                else:
                    pytest.fail(f"the session ended before the app's request was answered: {said}")
        creates = [e for e in emu.last.received if e["type"] == "response.create"]
    # Right: after the server's own response, the app's request is sent again and answered.
    assert "instructions=Say goodbye." in said, (said, len(creates))

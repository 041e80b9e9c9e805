"""A function call made by an out-of-band response (the app's own
``create_response(conversation="none")``, the Realtime guide's way to classify or summarise
beside the conversation) is not part of the default conversation, so it is no batch of it:
its output must not be added to that conversation, and no ``response.create`` may be asked
for it. DESIGN.md: one ``response.create`` per batch of the conversation's calls, never one
the conversation does not owe; a server error is never the session's own doing. The call is
the app's, which asked for the response (docs/tools.md): nothing runs, the app reads it in
``response.done``.

Today the call's output goes out as a ``conversation.item.create``, which the server refuses
("No tool call found with call_id ..."), and then the session asks for a response in the
conversation: the model takes a turn that nobody asked for (it speaks to the user).
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool
async def classify(topic: str) -> str:
    """Record the conversation's topic."""
    return "recorded"


async def test_an_out_of_band_call_asks_for_no_turn_in_the_conversation() -> None:
    agent = rtagents.Agent(name="t", tools=[classify], output_modalities=["text"])
    model = ScriptedModel(
        [CallFunction("classify", {"topic": "billing"}, call_id="c1"), "UNASKED TURN"]
    )
    events: list[rtagents.SessionEvent] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.create_response(
                conversation="none", output_modalities=["text"], metadata={"kind": "topic"}
            )
            with anyio.move_on_after(2):  # the out-of-band response, its call, and after
                async for event in session:
                    events.append(event)
    kinds = [e.type for e in events]
    assert "tool.call.started" not in kinds, kinds  # the app's: nothing runs
    done = [e for e in events if e.type == "response.done"]
    assert done and done[0].response.conversation_id is None
    assert [i.call_id for i in done[0].response.output if i.type == "function_call"] == ["c1"]
    errors = [e.error.message for e in events if e.type == "error"]
    assert errors == [], f"the server refused what the session sent: {errors}"
    in_conversation = [
        e for e in events if e.type == "response.created" and e.response.conversation_id
    ]
    assert in_conversation == [], "the session asked for a turn in the conversation"

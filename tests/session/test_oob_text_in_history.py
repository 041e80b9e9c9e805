"""Rule broken: an out-of-band response adds nothing to the conversation (docs/tools.md:
"it is in no conversation"; realtime_out: an aside "adds nothing to it"); ``session.history``
is "the conversation so far ... the journal a reconnect replays".

Commit 71ed186 keeps an out-of-band response's function calls out of the conversation, but
its text (and audio transcript) deltas still go into the journal as an assistant message of
the conversation: ``session.history`` shows the app's classification (or our own filler) as
something the assistant said in the conversation. Since c76f6f5 that message is also flagged
streaming forever (the server sends no ``conversation.item.done`` for an item in no
conversation), so it is kept until the next drop silently deletes it. Over a real loopback
socket.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_an_out_of_band_answer_is_not_in_the_history() -> None:
    agent = rtagents.Agent(name="t", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hello there.", "TOPIC BILLING"])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.ask("Hi")
            await session.create_response(
                conversation="none", output_modalities=["text"], metadata={"kind": "topic"}
            )
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the out-of-band response was done")
            said = [
                c.text
                for item in session.history
                if item.type == "message" and item.role == "assistant"
                for c in item.content
            ]
    assert "Hello there." in said
    assert not any("TOPIC" in (s or "") for s in said), (
        f"the out-of-band response's text is in the conversation's history: {said}"
    )

"""The app's commentary reaches the emulator while the Live model is still speaking; the
connection drops before the model gets to say it (its ``session.commentary.appended`` has not
come yet); the session attaches again to the same Live session, and the client sends the
note again (docs/live.md: held "until the server acknowledges it"). It is said once: the
emulator takes a note with the id and words of one it took once. (It was said twice.)"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, Say, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)
LONG = "Let me think about that for a moment while I look through everything we have here."
NOTE = "Your parcel left the depot."


async def test_commentary_held_over_an_attach_is_said_once() -> None:
    model = ScriptedModel([[Say(LONG)]])
    agent = rtagents.Agent(instructions="Help.")
    async with Emulator(model=model, realtime=True, voice="tones") as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as s:
            await speak(s)
            said = ""
            noted = dropped = False
            reconnected = 0
            with anyio.move_on_after(15):
                async for event in s:
                    if event.type == "session.reconnected":
                        reconnected += 1
                    if event.type == "transcript.delta" and event.role == "assistant":
                        said += event.delta
                        if not noted:
                            noted = True
                            await s.commentary(NOTE)
                            conn: Any = emu.last
                            with anyio.fail_after(5):
                                while not any(
                                    e.get("type") == "session.commentary.append"
                                    for e in conn.received
                                ):
                                    await anyio.sleep(0.01)
                            assert not any(
                                e.get("type") == "session.commentary.appended" for e in conn.sent
                            )
                            conn.drop()
                            dropped = True
                        if NOTE in said and said.rstrip().endswith(NOTE.rstrip(".") + "."):
                            # heard once; wait a little for a second copy
                            with anyio.move_on_after(3):
                                async for later in s:
                                    if (
                                        later.type == "transcript.delta"
                                        and later.role == "assistant"
                                    ):
                                        said += later.delta
                            break
                else:
                    pytest.fail(f"the session ended before the note was said: {said!r}")
            assert dropped and reconnected >= 1, (dropped, reconnected, said)
            assert said.count(NOTE.split()[1]) == 1, said

"""``session.input_format`` is the format the server reads the next appended audio in: a
configuration sent is the server's from there on, before its reply (the server reads client
events in order). An ``update_agent`` the app stops waiting for (its own timeout around it)
was sent all the same: the server applies it, so audio sent after it is read in its format,
and ``input_format`` says so (as ``session.agent`` does: the new agent stays taken)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

PCM = rtagents.Agent(name="pcm")
ULAW = rtagents.Agent(name="ulaw", input_audio_format="pcmu", output_audio_format="pcmu")


async def test_a_cancelled_update_agent_still_sets_the_format_audio_is_read_in() -> None:
    async with hostile_server() as server:
        async with rtagents.connect(PCM, url=server.url) as session:
            server.answers_updates = False
            with anyio.move_on_after(0.3):  # the app's own timeout
                await session.update_agent(ULAW)
            sent = server.sent("session.update")[-1]
            assert sent["session"]["audio"]["input"]["format"]["type"] == "audio/pcmu"
            assert session.agent is ULAW  # taken: the server got its configuration
            assert session.input_format == "audio/pcmu", (
                "the server reads the next audio as pcmu (the update was sent, its reply "
                f"is on its way), but send_audio is told {session.input_format!r}"
            )
            # Its reply, late: the server did apply it.
            await server.send({"type": "session.updated", "session": sent["session"]})
            await anyio.sleep(0.2)
            assert session.input_format == "audio/pcmu"

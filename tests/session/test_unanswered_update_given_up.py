"""A configuration the server never answered (``SessionConfigError.unanswered``) is given up
whole: the session stays with the agent it had, so the format ``send_audio`` takes is the one
it had, and the next configuration's reply answers the next configuration. Kept waiting, the
unanswered request took the next ``session.updated`` for its own: the next ``update_agent``
waited out its whole time limit and failed although the server answered it at once, and
``input_format`` went on saying the unanswered agent's format."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.errors import SessionConfigError
from rtagents.session import runner

from .hostile import hostile_server

pytestmark = pytest.mark.anyio

PCM = rtagents.Agent(name="pcm")
ULAW = rtagents.Agent(name="ulaw", input_audio_format="pcmu", output_audio_format="pcmu")
ALAW = rtagents.Agent(name="alaw", input_audio_format="pcma", output_audio_format="pcma")


async def test_the_next_update_after_an_unanswered_one_is_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with hostile_server() as server:
        async with rtagents.connect(PCM, url=server.url) as session:
            monkeypatch.setattr(runner, "CONFIGURE_TIMEOUT_S", 0.3)
            server.answers_updates = False
            with pytest.raises(SessionConfigError):
                await session.update_agent(ULAW)
            assert session.agent is PCM
            assert session.input_format == "audio/pcm"
            server.answers_updates = True
            with anyio.fail_after(3):  # (answered at once: not after the 0.3 s limit)
                await session.update_agent(ALAW)
            assert session.agent is ALAW
            assert session.input_format == "audio/pcma"

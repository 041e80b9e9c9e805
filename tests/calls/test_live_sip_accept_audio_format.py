"""A GPT-Live SIP call is accepted with a body the Live API takes, whatever audio format the
agent names.

docs/agent.md suggests G.711 for telephony (``input_audio_format="pcmu"``). For a GPT-Live
SIP call the ``CallServer`` accepts with ``sip_session(agent)``, which puts that format in
``session.audio.format``. The openai SDK's ``SessionAcceptParams`` has no such field: its
``session.audio`` is ``{"output": {"voice"}}`` alone ("SIP negotiates the media format;
audio.format is only accepted for primary WebSockets"), and ``AcceptRequest``'s own
docstring here says the format "is negotiated". A server that refuses the unknown parameter
refuses the accept, and the call is never answered. The emulator takes the body, so the
call below is answered offline all the same; the body is judged by the SDK's types."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from openai.types.live import session_accept_params as sdk

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator.live import phone
from rtagents.testing import serve_asgi

from .harness import SECRET, wait_for

pytestmark = pytest.mark.anyio


def keys(typed_dict: Any) -> set[str]:
    return set(typing.get_type_hints(typed_dict))


@pytest.mark.parametrize("audio_format", ["pcmu", "pcm16"])
async def test_the_accept_of_a_live_sip_call_has_only_the_sdks_fields(
    audio_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies: list[dict[str, Any]] = []
    accepted = phone.accepted_session

    def spy(body: dict[str, Any]) -> dict[str, Any]:
        bodies.append(body)
        return accepted(body)

    monkeypatch.setattr(phone, "accepted_session", spy)
    agent = rtagents.Agent(name="phone", instructions="Help.", input_audio_format=audio_format)
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            drain_timeout=0.5,
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, api="live", say=["Hi."])
            await wait_for(emu, call_id, "accepted", timeout=6)
    assert len(bodies) == 1
    session = bodies[0]["session"]
    assert set(session) <= keys(sdk.Session), set(session) - keys(sdk.Session)
    assert set(session.get("audio", {})) <= keys(sdk.SessionAudio), session["audio"]

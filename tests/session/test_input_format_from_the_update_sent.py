"""The format ``send_audio`` takes follows a new configuration from when it is sent, not from
its reply. The server reads client events in order: audio appended after a ``session.update``
that sets ``pcmu`` is read as u-law, even while its ``session.updated`` is on its way. A
microphone that switched on the reply sent pcm16 meanwhile, and pcm16 silence read as u-law is
full scale (the emulator's VAD heard speech in a silent room). A configuration the server
refuses never applied: the format is the one it had. An update that sets no input format
leaves the one before it. Sans I/O, on both APIs' cores, and on a session over a socket."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.session.live import LiveCore
from rtagents.session.realtime import RealtimeCore

from .frames import ev
from .hostile import hostile_server

PCM = rtagents.Agent(name="pcm")
ULAW = rtagents.Agent(name="ulaw", input_audio_format="pcmu", output_audio_format="pcmu")
ALAW = rtagents.Agent(name="alaw", input_audio_format="pcma", output_audio_format="pcma")


def realtime() -> RealtimeCore:
    core = RealtimeCore(lambda name: None)
    core.receive(ev("session.created", session={"type": "realtime", "id": "sess_1"}))
    return core


def updated(core: RealtimeCore, fmt: str) -> None:
    """The server's ``session.updated``, reporting ``fmt``."""
    audio = {"input": {"format": {"type": fmt}}, "output": {"format": {"type": fmt}}}
    core.receive(ev("session.updated", session={"type": "realtime", "audio": audio}))


def refused(core: Any, event_id: str) -> None:
    core.receive(
        ev(
            "error",
            error={"type": "invalid_request_error", "message": "no", "event_id": event_id},
        )
    )


def test_the_format_is_the_new_one_from_the_update_sent() -> None:
    core = realtime()
    assert core.input_format == "audio/pcm"
    core.configure(ULAW, tools=[], tracing=None)
    assert core.input_format == "audio/pcmu"  # before its reply
    updated(core, "audio/pcmu")
    assert core.input_format == "audio/pcmu"


def test_a_refused_update_leaves_the_format_it_had() -> None:
    core = realtime()
    event_id, _ = core.configure(ULAW, tools=[], tracing=None)
    refused(core, event_id)
    assert core.input_format == "audio/pcm"


def test_the_update_sent_last_decides() -> None:
    core = realtime()
    first, _ = core.configure(ULAW, tools=[], tracing=None)
    second, _ = core.configure(ALAW, tools=[], tracing=None)
    assert core.input_format == "audio/pcma"
    updated(core, "audio/pcmu")  # the first one's reply: the second still applies after it
    assert core.input_format == "audio/pcma"
    refused(core, second)
    assert core.input_format == "audio/pcmu"


def test_an_update_without_a_format_keeps_the_one_before() -> None:
    core = realtime()
    core.configure(ULAW, tools=[], tracing=None)
    updated(core, "audio/pcmu")
    core.configure(PCM, tools=[], tracing=None)  # (sets no input format)
    assert core.input_format == "audio/pcmu"


def test_a_connection_lost_leaves_the_reported_format() -> None:
    core = realtime()
    core.configure(ULAW, tools=[], tracing=None)
    core.disconnected()
    assert core.input_format == "audio/pcm"


@pytest.mark.parametrize("agent", [ULAW, ALAW])
def test_gpt_live_takes_the_start_s_format_before_it_started(agent: rtagents.Agent) -> None:
    core = LiveCore(lambda name, response_id: None)
    event_id, _ = core.configure(agent, tools=[], tracing=None)
    expected = "audio/pcmu" if agent is ULAW else "audio/pcma"
    assert core.input_format == expected
    started = {"type": "session.started", "event_id": "e1", "client_event_id": event_id}
    fmt = {"type": expected, "rate": 8000}
    started["session"] = {"id": "sess_1", "type": "live", "audio": {"format": fmt}}
    core.receive_frame(json.dumps(started))
    assert core.input_format == expected


@pytest.mark.anyio
async def test_a_session_s_format_changes_as_the_update_goes_out() -> None:
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(PCM, url=server.url) as session:
                server.answers_updates = False
                async with anyio.create_task_group() as tg:
                    tg.start_soon(session.update_agent, ULAW)
                    update = await server.wait_for(lambda e: "audio" in e.get("session", {}))
                    assert session.input_format == "audio/pcmu"  # its reply not sent yet
                    await server.send({"type": "session.updated", "session": update["session"]})
                assert session.input_format == "audio/pcmu"

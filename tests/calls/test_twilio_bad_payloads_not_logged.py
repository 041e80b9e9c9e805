"""Review (twilio): docs/twilio.md, "Hostile input": "Frames that are not JSON, deeply nested
frames, binary frames, unknown events and bad payloads are ignored and logged. The call goes
on." Frames that are not JSON and binary frames are logged; a ``media`` message whose
payload is not base64 as ``b64decode(validate=True)`` wants it (line-wrapped base64, base64
without its padding, ``%%%``) and an unknown event were dropped without a word. A caller's
audio dropped that way leaves the model deaf with nothing in the logs to say why
(``media_payload`` in rtagents/calls/twilio.py returns ``None`` silently; ``from_caller`` in
twilio_stream.py skipped unknown events silently). A relay's line breaks and lost padding
are read now (the caller's audio is kept); what is not base64 is said once a stream."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.calls.twilio import media_payload
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"


@asynccontextmanager
async def streaming() -> AsyncIterator[tuple[CallServer, TwilioMediaClient]]:
    """A Twilio call bridged to the emulator, its session up."""
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="phone"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN),
        )
        async with serve_asgi(app) as url:
            ws = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(ws, auth_token=TOKEN, playback="instant") as phone:
                with anyio.fail_after(10):
                    while not (phone.call_sid in app.calls and app.calls[phone.call_sid].session):
                        await anyio.sleep(0.01)
                yield app, phone


async def logged_for(
    caplog: pytest.LogCaptureFixture, frames: list[dict[str, Any] | str]
) -> list[str]:
    """What the calls' loggers say of ``frames`` sent on a live stream (which goes on)."""
    async with streaming() as (app, phone):
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="rtagents"):
            for frame in frames:
                await phone._ws.send(frame if isinstance(frame, str) else json.dumps(frame))
            await anyio.sleep(0.3)
            lines = [r.getMessage() for r in caplog.records if r.name.startswith("rtagents.calls")]
        assert app.calls[phone.call_sid].state == "active"  # the call goes on: right
    return lines


@pytest.mark.parametrize(
    "frame",
    [
        {"event": "media", "media": {"track": "inbound", "payload": "%%%"}},
        {"event": "media", "media": {"track": "inbound", "payload": 42}},
        {"event": "surprise", "surprise": {}},
        "not json",  # the control: logged already
    ],
    ids=["not base64", "not text", "unknown event", "not JSON"],
)
async def test_a_bad_frame_is_logged(
    caplog: pytest.LogCaptureFixture, frame: dict[str, Any] | str
) -> None:
    assert await logged_for(caplog, [frame]), f"{frame!r} ignored with no log line"


async def test_unknown_events_are_logged_once_a_stream(caplog: pytest.LogCaptureFixture) -> None:
    # Keyed by the event's name, each new name was said again (a review of the fix).
    frames: list[dict[str, Any] | str] = [{"event": f"surprise-{n}"} for n in range(100)]
    lines = [line for line in await logged_for(caplog, frames) if "unknown event" in line]
    assert len(lines) == 1, f"{len(lines)} warnings for {len(frames)} frames of one stream"


@pytest.mark.parametrize(
    "payload", ["/39/f39/f39/\nf39/fw==", "/39/f39/f39/f39/fw", " /39/f39/f39/f39/fw==\r\n"]
)
def test_a_relays_wrapped_or_unpadded_base64_is_read(payload: str) -> None:
    message = {"event": "media", "media": {"track": "inbound", "payload": payload}}
    assert media_payload(message) == bytes.fromhex("ff7f7f7f7f7f7f7f7f7f7f7f7f")

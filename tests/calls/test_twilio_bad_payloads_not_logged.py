"""docs/twilio.md, "Hostile input": "Frames that are not JSON, deeply nested
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
from typing import Any

import anyio
import pytest

from rtagents.calls.twilio import media_payload

from .harness import twilio_call

pytestmark = pytest.mark.anyio


async def logged_for(
    caplog: pytest.LogCaptureFixture, frames: list[dict[str, Any] | str]
) -> list[str]:
    """What the calls' loggers say of ``frames`` sent on a live stream (which goes on)."""
    async with twilio_call() as (app, phone):
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

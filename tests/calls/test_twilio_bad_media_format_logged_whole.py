"""A start message with a media format other than u-law at 8 kHz is
refused (right), and its whole ``mediaFormat`` object goes into the log line, unbounded.

``parse_start`` raises ``TwilioStreamError(f"media format {fmt!r}: ...")`` and
``TwilioEndpoint.serve`` logs the message. Every other value this module takes from the
stream is shown through ``inbound.shown`` (escaped, cut at 80 characters: the SIDs, event
names); ``mediaFormat`` is a peer's object of any size (one websocket message: up to
16 MiB), so one bad start writes a log line that large (with ``auth_token=None``, anyone who
finds the URL can). The test sends 200 kB and finds it all in one warning."""

from __future__ import annotations

import json
import logging
import uuid

import anyio
import pytest
import websockets

from rtagents.calls import TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import twilio_server

pytestmark = pytest.mark.anyio


async def test_a_bad_media_format_is_not_logged_whole(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="rtagents.calls.twilio")
    start = {
        "event": "start",
        "start": {
            "streamSid": f"MZ{uuid.uuid4().hex}",
            "callSid": f"CA{uuid.uuid4().hex}",
            "mediaFormat": {"encoding": "audio/x-l16", "junk": "x" * 200_000},
        },
    }
    async with Emulator(model=ScriptedModel([], then="hi")) as emu:
        app = twilio_server(emu, TwilioStreams(auth_token=None))
        async with serve_asgi(app) as url:
            async with websockets.connect(url.replace("http", "ws", 1) + "/twilio") as ws:
                await ws.send(json.dumps(start))
                with anyio.fail_after(5):
                    with pytest.raises(websockets.ConnectionClosed):
                        await ws.recv()
    lines = [r.getMessage() for r in caplog.records if "did not start" in r.getMessage()]
    assert lines, caplog.text[:500]
    assert max(map(len, lines)) < 2_000, f"a log line of {max(map(len, lines))} characters"

"""Review (diff dbd134e): docs/twilio.md, "Hostile input": "an unknown event or a payload that
is not base64 [is logged] once a stream: there are 50 frames a second". ``from_caller``
remembers what it told by the event's *name* (``told: set[str]``, ``_ignored(told, ..., kind)``):
a stream whose unknown events each carry another name (a relay numbering them, garbage) logs
a warning for every frame, 50 a second for the life of the call, and the set grows with
every name."""

from __future__ import annotations

import json
import logging

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"
FRAMES = 100


async def test_unknown_events_are_logged_once_a_stream(caplog: pytest.LogCaptureFixture) -> None:
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
                caplog.clear()
                with caplog.at_level(logging.DEBUG, logger="rtagents"):
                    for n in range(FRAMES):  # two seconds of a stream's frames
                        await phone._ws.send(json.dumps({"event": f"surprise-{n}"}))
                    await anyio.sleep(0.5)
                    lines = [
                        r.getMessage()
                        for r in caplog.records
                        if r.name.startswith("rtagents.calls") and "unknown event" in r.getMessage()
                    ]
                assert app.calls[phone.call_sid].state == "active"
    assert lines, "not logged at all"
    assert len(lines) == 1, f"{len(lines)} warnings for {FRAMES} frames of one stream"

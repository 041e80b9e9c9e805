"""Review (twilio): a stream that sends no ``start`` within ``start_timeout`` is closed
(1008, right) and logged as ``"a Twilio stream did not start: %s"`` with
``exc or "no start message in time"`` (TwilioEndpoint.serve). ``exc`` is the
``TimeoutError`` instance, which is always truthy and whose text is empty: the operator
reads "a Twilio stream did not start: " with no reason at all."""

from __future__ import annotations

import json
import logging

import anyio
import pytest
import websockets

from rtagents.calls import TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import twilio_server

pytestmark = pytest.mark.anyio


async def test_a_stream_that_never_starts_is_logged_with_its_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Emulator(model=ScriptedModel([], then="hi")) as emu:
        app = twilio_server(emu, TwilioStreams(auth_token=None, start_timeout=0.3))
        async with serve_asgi(app) as url:
            with caplog.at_level(logging.WARNING, logger="rtagents.calls.twilio"):
                async with websockets.connect(url.replace("http", "ws", 1) + "/twilio") as ws:
                    await ws.send(json.dumps({"event": "connected", "protocol": "Call"}))
                    with anyio.fail_after(5), pytest.raises(websockets.ConnectionClosed):
                        await ws.recv()
    lines = [r.getMessage() for r in caplog.records if "did not start" in r.getMessage()]
    assert lines and not lines[0].rstrip().endswith(":"), lines


async def test_a_stream_stopped_before_it_started_is_closed_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The caller hung up as the stream opened: Twilio sends stop, no start. The stream was
    # held open until start_timeout (10 s by default), then logged as a timeout.
    async with Emulator(model=ScriptedModel([], then="hi")) as emu:
        app = twilio_server(emu, TwilioStreams(auth_token=None, start_timeout=30))
        async with serve_asgi(app) as url:
            with caplog.at_level(logging.WARNING, logger="rtagents.calls.twilio"):
                async with websockets.connect(url.replace("http", "ws", 1) + "/twilio") as ws:
                    await ws.send(json.dumps({"event": "connected", "protocol": "Call"}))
                    await ws.send(json.dumps({"event": "stop", "stop": {}}))
                    with anyio.fail_after(3), pytest.raises(websockets.ConnectionClosed):
                        await ws.recv()
    lines = [r.getMessage() for r in caplog.records if "did not start" in r.getMessage()]
    assert lines and "stopped before it started" in lines[0], lines

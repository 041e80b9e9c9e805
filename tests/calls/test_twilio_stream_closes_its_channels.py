"""A Twilio stream closes the channels it opens for the call (the audio queue to Twilio, the
keypad's) however the call ends, a session that never opens included (here the API refuses
the app's key). Before, they were closed only on the way out of a session that had opened:
a refused one left them to the garbage collector, which warned of each (``ResourceWarning:
Unclosed <MemoryObjectReceiveStream>``) on whatever ran next."""

from __future__ import annotations

import gc
import warnings

import anyio
import pytest

from rtagents.emulator import Emulator
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.calls.harness import TWILIO_TOKEN, twilio_server

pytestmark = pytest.mark.anyio


async def test_a_stream_whose_session_never_opens_leaves_nothing_open() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        async with Emulator(api_key="sk-not-the-apps") as emu:
            app = twilio_server(emu)  # (its key: sk-x, refused)
            async with serve_asgi(app) as url:
                stream = url.replace("http", "ws", 1) + "/twilio"
                async with TwilioMediaClient(stream, auth_token=TWILIO_TOKEN) as phone:
                    with anyio.fail_after(20):
                        await phone.wait_closed()
                with anyio.fail_after(10):
                    while app.calls[phone.call_sid].state not in ("ended", "failed"):
                        await anyio.sleep(0.02)
        gc.collect()
    unclosed = [str(w.message) for w in caught if "MemoryObject" in str(w.message)]
    assert not unclosed, unclosed

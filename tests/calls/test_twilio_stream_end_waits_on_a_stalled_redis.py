"""A Twilio stream's end waits on Redis: the endpoint closes the stream's websocket only
after the lifecycle has released the call's claim (``CallLifecycle._finished`` ->
``RedisRegistry.release``), and that release is bounded by nothing but redis-py's socket
timeout times its retries (5 s x 4, about 20 s).

docs/twilio.md: "``Reject()`` ends the stream, and Twilio goes on to the TwiML after
``<Connect>``"; ``end_call`` "then ends the stream". tests/calls/test_redis_stalled.py's
rule: "A Redis that stops answering ... holds no call up for long. Each Redis command that
something waits on is bounded". With Redis stalled (a partition, a stopped container), a
stream the router rejects (or the agent hangs up) stays open in silence for ~20 s before
Twilio may go on: the caller hears nothing, and is not sent to the next TwiML verb (a
voicemail, a human queue). The release itself can wait: it is retried (``_ending``)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import anyio
import pytest

from rtagents.calls import CallServer, IncomingCall, Reject, TwilioStreams
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.calls.test_redis_stalled import stoppable_redis

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"


async def test_a_rejected_stream_is_closed_promptly_while_redis_stalls(tmp_path: Path) -> None:
    with stoppable_redis(tmp_path) as (url, pid):

        def route(call: IncomingCall) -> Reject:
            os.kill(pid, signal.SIGSTOP)  # Redis stops answering once the stream is claimed
            return Reject(reason="after hours")

        async with Emulator(model=ScriptedModel([], then="hi")) as emu:
            app = CallServer(
                route=route,
                twilio=TwilioStreams(auth_token=TOKEN),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(url, replica="a", prefix=f"r-{uuid.uuid4().hex[:6]}"),
                drain_timeout=0,
            )
            async with serve_asgi(app) as base:
                phone = TwilioMediaClient(
                    base.replace("http", "ws", 1) + "/twilio", auth_token=TOKEN, playback="instant"
                )
                try:
                    async with phone:
                        began = time.monotonic()
                        with anyio.move_on_after(8):
                            await phone.wait_closed()
                        took = time.monotonic() - began
                        closed_by_the_server = phone.closed
                        state = app.calls[phone.call_sid].state
                finally:
                    os.kill(pid, signal.SIGCONT)
    assert state == "rejected"
    assert closed_by_the_server is not None and took < 5, (
        f"the rejected stream was still open {took:.1f} s after it started"
    )

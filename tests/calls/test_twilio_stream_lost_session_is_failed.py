"""A Twilio stream whose Realtime session cannot be kept (the OpenAI side fails for good)
is recorded as ``state="ended"``, with no warning logged, where a SIP call that loses its
sideband the same way is ``state="failed"`` (``SidebandLost``, logged).

docs/calls.md lists ``app.calls`` records with their state and reason; lifecycle.py says a
call "that fails is never left ringing or up without its tools", the same rule for every
kind of call, and docs/deployment.md: "One that fails ... its record says ``failed``, with
the reason". The bridge ends the stream (right), but the record should say the call
failed, as it does for SIP: an operator counting ``failed`` calls misses every Twilio call
the OpenAI side dropped. The fault is in ``TwilioCall.connect`` (twilio_stream.py), which
returns ``s.closed_reason`` whether or not the session ``closed_with_error``."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator.faults import ExpireSession
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"


async def test_a_stream_whose_session_is_lost_is_a_failed_call_as_a_sip_call_is() -> None:
    # Every connection to the API expires at once: the session gives up reconnecting.
    faults = [ExpireSession(at_s=0.05)]
    async with Emulator(model=ScriptedModel([], then="Hello."), faults=faults) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="phone"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN),
        )
        async with serve_asgi(app) as url:
            # The same fault on a SIP call: its record says failed.
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            ws = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(ws, auth_token=TOKEN) as phone:
                with anyio.fail_after(60):
                    await phone.wait_closed()
            with anyio.fail_after(60):
                while app.calls.get(call_id) is None or app.calls[call_id].state in (
                    "ringing",
                    "active",
                ):
                    await anyio.sleep(0.05)
            sip, stream = app.calls[call_id], app.calls[phone.call_sid]
    assert sip.state == "failed", (sip.state, sip.reason)
    assert stream.state == "failed", (
        f"the stream's session was lost ({stream.reason!r}); its record says {stream.state!r}"
    )

"""Every kind of call goes through one lifecycle, so every kind has its span: a Twilio
stream too, routed, rejected or failed like a SIP call. A real CallServer under uvicorn, a
Twilio media stream over a real websocket, the emulator behind."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.calls import CallServer, IncomingCall, Reject, TwilioStreams
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-tests"


def route(call: IncomingCall) -> rtagents.Agent | Reject:
    tier = call.parameters.get("tier")
    if tier == "bronze":
        return Reject(reason="bronze callers go to voicemail")
    raise LookupError(f"no agent for tier {tier}")


async def test_a_twilio_stream_has_its_call_span_whatever_its_router_says(
    spans: InMemorySpanExporter,
) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            route=route,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            twilio=TwilioStreams(auth_token=TOKEN),
        )
        async with serve_asgi(app) as url:
            endpoint = url.replace("http", "ws", 1) + "/twilio"
            sids = []
            for tier in ("bronze", "gold"):
                options = {"auth_token": TOKEN, "parameters": {"tier": tier}}
                async with TwilioMediaClient(endpoint, **options) as phone:  # type: ignore[arg-type]
                    with anyio.fail_after(10):
                        assert await phone.wait_closed() == 1000
                sids.append(phone.call_sid)
    by_call = {
        s.attributes["openai.realtime.call_id"]: s
        for s in spans.get_finished_spans()
        if s.name == "realtime_call" and s.attributes is not None
    }
    rejected, failed = (by_call[sid] for sid in sids)
    assert rejected.attributes == {
        "openai.realtime.call_id": sids[0],
        "rtagents.call.source": "twilio",
        "rtagents.call.state": "rejected",
    }
    assert failed.attributes is not None
    assert (
        failed.attributes["rtagents.call.source"],
        failed.attributes["rtagents.call.state"],
    ) == (
        "twilio",
        "failed",
    )
    assert failed.status.status_code == StatusCode.ERROR
    assert failed.status.description == "LookupError: no agent for tier gold"
    assert [app.calls[sid].state for sid in sids] == ["rejected", "failed"]

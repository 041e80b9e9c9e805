"""A GPT-Live SIP call's sideband sends ``session.close``: the session ends (``session.closed``,
reason ``close_requested``: the SDK's "an application close or hangup request"), and with it
the call: a sideband that attaches afterwards is refused (404), as after a REST hangup
(tests/calls/test_live_sideband_attach_after_hangup.py), and the call is reported ended. (It
stayed ``accepted``, and a later sideband started its session afresh.)"""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest
import websockets

from rtagents.emulator import Emulator
from tests.calls.harness import accepted_live_call

pytestmark = pytest.mark.anyio


async def test_a_call_whose_session_was_closed_takes_no_sideband() -> None:
    async with Emulator(live_resume_s=30) as emu, httpx2.AsyncClient() as http:
        call_id, attach = await accepted_live_call(emu, http)
        async with websockets.connect(attach) as sideband:
            await sideband.send(json.dumps({"type": "session.close", "event_id": "bye"}))
            closed = None
            with anyio.fail_after(5):
                async for frame in sideband:
                    event = json.loads(frame)
                    if event["type"] == "session.closed":
                        closed = event
            assert closed is not None and closed["reason"] == "close_requested"
        status = (await http.get(f"{emu.http_url}/emulator/calls/{call_id}")).json()["status"]
        outcome: object
        try:
            async with websockets.connect(attach) as again:
                await again.send(
                    json.dumps({"type": "session.update", "session": {}, "event_id": "u"})
                )
                with anyio.fail_after(5):
                    outcome = json.loads(await again.recv())["type"]
        except websockets.InvalidStatus as exc:
            outcome = exc.response.status_code
        assert (outcome, status) == (404, "ended"), (outcome, status)

"""A call hung up twice: the model's ``end_call`` ends it, and a supervisor's
``app.hangup`` (its UI still shows the call up: the sideband has not closed yet) is refused
by the API, the call being over. The call was hung up by the app: its record says ``ended``,
``hung up`` (docs/calls.md, control.HUNG_UP), the last request the API took. Before, the
refused second request replaced the first, and the call's end was taken for the server's."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.calls import CallsAPIError, CallServer, current_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, wait_for

pytestmark = pytest.mark.anyio


async def test_a_second_hang_up_refused_leaves_the_call_ended_not_failed() -> None:
    box: list[CallServer] = []
    refused: list[int | None] = []

    @rtagents.tool
    async def goodbye() -> str:
        """Hang up; a supervisor hangs up too, a moment later."""
        call = current_call()
        await call.hangup()  # the model's end_call
        try:
            await box[0].hangup(call.call_id)  # the supervisor's, the call still listed active
        except CallsAPIError as exc:
            refused.append(exc.status)
        return "ended"

    model = ScriptedModel([CallFunction("goodbye"), "Bye."])
    agent = rtagents.Agent(name="desk", tools=[goodbye])
    async with Emulator(model=model) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="-", base_url=emu.http_url)
        box.append(app)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Bye!"])
            await wait_for(emu, call_id, "ended")
            with anyio.fail_after(10):
                while app.calls[call_id].state in ("ringing", "active"):
                    await anyio.sleep(0.02)
            record = app.calls[call_id]
    assert refused == [404]  # the supervisor was told: the call is over
    assert (record.state, record.reason) == ("ended", "hung up"), record

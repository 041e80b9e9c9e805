"""The emulator's REST calls surface answers 200 to a hang-up or a transfer of a call that
is not up, and rewrites its status.

The real API's ``hangup`` "ends an active Realtime API call" and ``refer`` "transfers an
active SIP call" (the openai SDK's docstrings); rtagents itself relies on a hang-up of a
call that is over being refused with 404 (docs/calls.md, Time limits: "a 404 (the caller
hung up as the limit came) is a call that ended"; ``limits.LimitClock._hang_up``). The
emulator instead answers 200 to any of them: a rejected call then reads ``ended``, a
transferred one ``ended``, and a call that was never answered ``referred``, so code that
fails against the real API passes offline and ``GET /v1/emulator/calls/{id}`` lies.

Right behaviour: ``hangup`` and ``refer`` of a call that is not active (ringing where the
API refuses it, rejected, referred, ended) get a 4xx (404 for a call that is over), and
the call's recorded status is left as it was."""

from __future__ import annotations

import httpx2
import pytest

from rtagents.emulator import Emulator
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


async def test_hangup_and_refer_of_a_call_that_is_over_are_refused() -> None:
    async with Emulator() as emu, httpx2.AsyncClient(base_url=emu.http_url) as http:
        rejected = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        assert (await http.post(f"/realtime/calls/{rejected}/reject", json={})).status_code == 200
        hangup = await http.post(f"/realtime/calls/{rejected}/hangup")
        refer = await http.post(
            f"/realtime/calls/{rejected}/refer", json={"target_uri": "tel:+15550123"}
        )
        status = (await http.get(f"/emulator/calls/{rejected}")).json()["status"]
    assert (hangup.status_code, refer.status_code, status) == (404, 404, "rejected"), (
        f"hangup of a rejected call: {hangup.status_code}; refer: {refer.status_code}; "
        f"its status now: {status!r}"
    )


async def test_a_transferred_call_stays_transferred_after_a_late_hangup() -> None:
    async with Emulator() as emu, httpx2.AsyncClient(base_url=emu.http_url) as http:
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        assert (
            await http.post(f"/realtime/calls/{call_id}/accept", json={"type": "realtime"})
        ).status_code == 200
        refer = await http.post(
            f"/realtime/calls/{call_id}/refer", json={"target_uri": "tel:+15550123"}
        )
        assert refer.status_code == 200
        late = await http.post(f"/realtime/calls/{call_id}/hangup")
        record = (await http.get(f"/emulator/calls/{call_id}")).json()
    assert late.status_code == 404 and record["status"] == "referred", (
        f"a hang-up after the transfer: HTTP {late.status_code}; status now {record['status']!r}"
    )

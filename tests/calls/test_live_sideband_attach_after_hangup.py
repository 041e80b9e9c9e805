"""A hung-up call has no session to attach to (emulator.calls ``hang_up``: "The call is
over: its sideband sessions end"; the attach route serves "a SIP call's session
(accepted), or ... a session whose primary connection dropped").

Since d5f8cb1 a GPT-Live SIP call's session has the call's id, and a dropped sideband's
session is kept (``KeptSessions.keep``) under that id. When the call is hung up while its
sideband is down, ``hang_up`` reaches only the sidebands still open; the kept session is
not let go, so ``/v1/live/sessions/{call id}/attach`` still succeeds (``can_resume``), and
the app's reconnecting sideband is served a session of an ended call, never told
(``session.closed``) that the call is over. Before the change the attach was a 404.
"""

from __future__ import annotations

import anyio
import httpx2
import pytest
import websockets

from rtagents.emulator import Emulator

from .harness import accepted_live_call

pytestmark = pytest.mark.anyio


async def test_a_sideband_cannot_attach_to_a_call_hung_up_while_it_was_dropped() -> None:
    async with Emulator(live_resume_s=30) as emu, httpx2.AsyncClient() as http:
        call_id, attach = await accepted_live_call(emu, http)
        base = f"{emu.http_url}/live/sessions/{call_id}"
        async with websockets.connect(attach) as sideband:
            with anyio.fail_after(5):
                while not emu.connections or not emu.last.core.session:
                    await anyio.sleep(0.01)
            emu.last.drop()  # the sideband drops (the server's side: code 1011)
            with pytest.raises(websockets.ConnectionClosed):
                with anyio.fail_after(5):
                    while True:
                        await sideband.recv()
        hung_up = await http.post(f"{base}/hangup")  # the call ends while no sideband is on
        assert hung_up.status_code == 200
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(attach):
                pass  # attached to the ended call's session
        assert refused.value.response.status_code == 404

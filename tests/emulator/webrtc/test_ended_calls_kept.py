"""docs/emulator.md (memory): "the emulator keeps only the latest ``keep_closed`` closed
connections, and the latest ``keep_closed`` ended calls in ``emu.desk.calls`` (with their
sidebands)". A WebRTC call that ends because its page left (the peer closed: the way
nearly every browser call ends) was kept in ``emu.desk.calls`` for good, with its
connection (the session, the conversation) and its aiortc peer, and a long-running
``rtagents emulator`` that serves a browser page grew with every call: only a call ended
through ``POST /v1/realtime/calls/{id}/hangup`` was let go of. Every end counts now
(``CallDesk.over``).

Real parts: the emulator over real sockets, an independent aiortc page."""

from __future__ import annotations

import anyio
import pytest

from rtagents.emulator import Emulator
from rtagents.emulator.webrtc.peer import Peer
from tests.emulator.webrtc.client import Browser

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


@pytest.mark.parametrize("slow_close", [False, True])
async def test_calls_whose_page_left_are_not_kept_past_keep_closed(
    slow_close: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if slow_close:  # a busy machine: the peer takes its time to close once the call ended
        close = Peer.close

        async def slowly(self: Peer) -> None:
            await anyio.sleep(0.5)
            await close(self)

        monkeypatch.setattr(Peer, "close", slowly)
    async with Emulator(keep_closed=1) as emu:
        ended: list[str] = []
        for _ in range(3):
            browser = Browser()
            try:
                reply = await browser.call(emu.http_url, "sk-any")
                assert reply.status_code == 201, reply.text
                await browser.until("session.created")
                call_id = browser.call_id
            finally:
                await browser.close()  # the page leaves (tab closed, pc.close())
            with anyio.fail_after(15):
                while emu.desk.calls[call_id].status != "ended":
                    await anyio.sleep(0.05)
            ended.append(call_id)
        kept = [c for c in ended if c in emu.desk.calls]
        assert len(kept) <= 1, (
            f"keep_closed=1, yet {len(kept)} ended WebRTC calls are kept in emu.desk.calls "
            f"(each with its connection and peer): {kept}"
        )

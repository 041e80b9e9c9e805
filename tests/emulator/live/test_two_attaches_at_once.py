"""Two connections attach at once to a GPT-Live session whose primary connection dropped. The
session is one: one connection gets it back, and the other is refused (HTTP 404, as an
attach to a session that is gone is). (Both were accepted: the second was served a blank
session on another session's attach URL.)"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from starlette.websockets import WebSocket
from websockets.exceptions import InvalidStatus

from rtagents.emulator import Emulator
from tests.emulator.live.wire import LiveWire

pytestmark = pytest.mark.anyio


async def test_only_one_of_two_concurrent_attaches_gets_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain_accept = WebSocket.accept

    async def slow_accept(self: WebSocket, *args: Any, **kwargs: Any) -> None:
        # (a loaded machine: the handshake's answer takes a moment to go out)
        await anyio.sleep(0.2)
        await plain_accept(self, *args, **kwargs)

    monkeypatch.setattr(WebSocket, "accept", slow_accept)
    async with Emulator() as emu:
        first = await LiveWire.open(emu.live_url)
        await first.send({"type": "session.start", "session": {"model": "gpt-live-1"}})
        started = await first.until("session.started")
        session_id = started[-1]["session"]["id"]
        emu.last.drop()
        with anyio.fail_after(5):
            while emu.last.core.session.get("id") != session_id or not emu.can_resume(session_id):
                await anyio.sleep(0.01)

        url = f"{emu.live_url}/{session_id}/attach"
        outcomes: list[object] = []

        async def attach() -> None:
            try:
                outcomes.append(await LiveWire.open(url))
            except InvalidStatus as exc:
                outcomes.append(exc.response.status_code)

        async with anyio.create_task_group() as tg:
            tg.start_soon(attach)
            tg.start_soon(attach)
        wires = [o for o in outcomes if isinstance(o, LiveWire)]
        replies = []
        for wire in wires:
            await wire.send(
                {"type": "session.update", "session": {"triggers": []}, "event_id": "u1"}
            )
            event = await wire.next()
            replies.append(
                event["type"] if event["type"] != "error" else "error:" + event["error"]["code"]
            )
            await wire.close()
        await first.close()
        assert len(wires) == 1, (outcomes, replies)

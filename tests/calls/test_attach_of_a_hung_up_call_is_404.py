"""docs/browser.md, POST /session/attach: 404 when "a call this server ran has ended"; 503
when "the call registry is unavailable". The app hangs up a page's call while its attach is
being set up (its listing in the registry takes a moment, as Redis's does): the call ended
on purpose, the registry worked, and the page is told 404, the call ended. Before, it was
told 503 "the call registry is unavailable" (so it retried, for nothing), and the server's
log said the attach failed. Real parts: a CallServer under uvicorn, the emulator as the
API, an aiortc page."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from rtagents.calls.registry import LocalRegistry
from tests.calls.browser_call import browser_app, page_call

pytestmark = pytest.mark.anyio


class SlowListing(LocalRegistry):
    """A registry with real latency when a call is listed (Redis's round trip)."""

    def __init__(self) -> None:
        super().__init__()
        self.listing = anyio.Event()

    async def accepted(self, call_id: str, call: dict[str, Any]) -> None:
        self.listing.set()
        await anyio.sleep(0.5)


async def test_a_call_the_app_hung_up_during_its_attach_is_not_a_registry_failure() -> None:
    registry = SlowListing()
    async with browser_app(registry=registry) as (emu, app, http):
        async with page_call(emu, http) as (_, call_id, secret):
            body = {"call_id": call_id, "client_secret": secret}
            async with anyio.create_task_group() as tg:
                replies: list[Any] = []

                async def attach() -> None:
                    replies.append(await http.post("/session/attach", json=body))

                tg.start_soon(attach)
                with anyio.fail_after(10):
                    await registry.listing.wait()
                await app.hangup(call_id)  # the app ends the call (a supervisor, say)
            [reply] = replies
            record = app.calls[call_id]
    assert record.state in ("ended", "rejected"), record
    assert reply.status_code == 404, (reply.status_code, reply.text, record.reason)

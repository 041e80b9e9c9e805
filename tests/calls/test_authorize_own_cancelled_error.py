"""docs/browser.md, "Who may use these routes": only ``True`` lets a request in; "an
exception ... refuse[s] it with 403 and a log line naming the route and the reason". An async
``authorize`` awaiting a lookup another request started (a single-flight cache) gets that
future's ``CancelledError`` when the request that started it was cancelled: a failure of its
own, refused with 403 (it escaped the route as a 500, with uvicorn's traceback)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from rtagents.calls import CallerRequest
from tests.calls.browser_call import browser_app

pytestmark = pytest.mark.anyio


async def _shared_lookup_was_cancelled(request: CallerRequest) -> bool:
    lookup: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    lookup.cancel()  # the request that started the shared lookup went away
    return await lookup


@pytest.mark.parametrize("route", ["/session", "/session/attach"])
async def test_an_authorize_whose_lookup_was_cancelled_elsewhere_refuses_with_403(
    route: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        async with browser_app(authorize=_shared_lookup_was_cancelled) as (emu, app, http):
            reply = await http.post(route, json={"call_id": "rtc_abc", "client_secret": "ek_x"})
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert reply.status_code == 403, f"HTTP {reply.status_code} {reply.text[:60]!r}; {tracebacks}"
    assert not tracebacks, tracebacks

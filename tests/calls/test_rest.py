"""The calls REST client: retries on 429 and 5xx with backoff, and errors that name the call
and the status. Against a real HTTP server (Starlette under uvicorn) that fails on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtagents.calls import CallsAPI, CallsAPIError
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio


def flaky(statuses: list[int]) -> tuple[Starlette, list[Any]]:
    seen: list[Any] = []

    async def accept(request: Request) -> JSONResponse:
        seen.append((request.headers.get("authorization"), await request.json()))
        status = statuses.pop(0) if statuses else 200
        body = {"error": {"message": "call not found"}} if status == 404 else {}
        return JSONResponse(body, status_code=status)

    return Starlette(
        routes=[Route("/v1/realtime/calls/{cid}/accept", accept, methods=["POST"])]
    ), seen


async def test_429_and_5xx_are_retried() -> None:
    app, seen = flaky([429, 503])
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1", retries=3)
        await api.accept("rtc_1", {"type": "realtime"})
        await api.aclose()
    assert len(seen) == 3
    assert seen[0] == ("Bearer sk-test", {"type": "realtime"})


async def test_errors_name_the_call_and_the_status() -> None:
    app, _ = flaky([404])
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1")
        with pytest.raises(
            CallsAPIError, match=r"accepting call rtc_9 failed: HTTP 404: call not found"
        ) as info:
            await api.accept("rtc_9", {"type": "realtime"})
        await api.aclose()
    assert info.value.status == 404
    assert "sk-test" not in repr(api)


async def test_retries_give_up_with_the_last_status() -> None:
    app, seen = flaky([500, 500, 500])
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1", retries=2)
        with pytest.raises(CallsAPIError, match=r"after 3 tries: HTTP 500"):
            await api.accept("rtc_2", {})
        await api.aclose()
    assert len(seen) == 3


@pytest.mark.parametrize("statuses", [[502, 400], [503, 404], [500, 409]], ids=repr)
async def test_a_refused_retry_after_a_lost_reply_is_taken_as_done(statuses: list[int]) -> None:
    """The first try may have reached the API (a gateway's 5xx): the retry's refusal (the
    call is no longer ringing) is that try's doing, not a failure."""
    app, seen = flaky(statuses)
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1", retries=3)
        await api.accept("rtc_3", {"type": "realtime"})
        await api.aclose()
    assert len(seen) == 2


@pytest.mark.parametrize("statuses", [[400], [429, 400], [502, 401], [502, 403]], ids=repr)
async def test_a_refusal_with_no_lost_reply_before_it_is_a_failure(statuses: list[int]) -> None:
    """A first refusal, one after a 429 (which says nothing was done), and a refused key
    are failures as before."""
    app, _ = flaky(statuses)
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1", retries=3)
        with pytest.raises(CallsAPIError):
            await api.accept("rtc_4", {"type": "realtime"})
        await api.aclose()


async def test_a_mint_is_never_taken_as_done() -> None:
    statuses = [502, 400]

    async def mint(request: Request) -> JSONResponse:
        return JSONResponse({}, status_code=statuses.pop(0) if statuses else 200)

    app = Starlette(routes=[Route("/v1/realtime/client_secrets", mint, methods=["POST"])])
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1", retries=3)
        with pytest.raises(CallsAPIError, match="HTTP 400"):
            await api.client_secret({"type": "realtime"})
        await api.aclose()


async def test_a_refusal_of_the_request_itself_is_a_failure_whatever_came_before() -> None:
    """After a lost reply, a 400 that names a ``param`` (a transfer's bad target) is about
    the request, not about the call's state: it fails as before."""
    statuses = [502, 400]

    async def refer(request: Request) -> JSONResponse:
        status = statuses.pop(0) if statuses else 200
        error = {"message": "Invalid target_uri", "param": "target_uri"}
        return JSONResponse({"error": error} if status == 400 else {}, status_code=status)

    app = Starlette(routes=[Route("/v1/realtime/calls/{cid}/refer", refer, methods=["POST"])])
    async with serve_asgi(app) as url:
        api = CallsAPI("sk-test", f"{url}/v1", retries=3)
        with pytest.raises(CallsAPIError, match="Invalid target_uri"):
            await api.refer("rtc_5", "tel:+15550000")
        await api.aclose()

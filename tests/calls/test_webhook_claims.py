"""A webhook's claim of its call, and its accept: a retry that comes while the first delivery is still
claiming is told to come again (409), not "duplicate", so that it takes the call should the
claim fail; a claim that hangs is given up (503) within ``CLAIM_TIMEOUT_S``; a malformed
``sip_headers`` is read as none, never a 500 that would leave the call ringing; the one
process registry does not grow with every call; and an accept whose reply was lost is not
taken for a failure."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import rtagents
from rtagents.calls import CallServer, IncomingCall, LocalRegistry
from rtagents.calls import server as calls_server
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .harness import SECRET, incoming, recording_api, signed

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


class Registry(LocalRegistry):
    """A registry whose first claim waits for ``go``, then fails (a Redis that timed
    out) when ``fail`` is set, or hangs for good when ``hang`` is."""

    def __init__(self, *, fail: bool = False, hang: bool = False, late: bool = False) -> None:
        super().__init__()
        self.fail, self.hang, self.late = fail, hang, late
        self.waiting, self.go = anyio.Event(), anyio.Event()
        self.claims = 0

    async def claim(self, call_id: str) -> bool:
        self.claims += 1
        if self.claims == 1:
            self.waiting.set()
            if self.late:  # made, but its answer comes after the webhook stopped waiting
                await super().claim(call_id)
            if self.hang or self.late:
                await anyio.sleep_forever()
            await self.go.wait()
            if self.fail:
                raise ConnectionError("Timeout reading from redis:6379")
        return await super().claim(call_id)


def app_with(registry: LocalRegistry, base_url: str, **options: Any) -> CallServer:
    agent = rtagents.Agent(name="desk")
    return CallServer(
        agent=agent,
        webhook_secret=SECRET,
        api_key="sk-x",
        base_url=base_url,
        registry=registry,
        **options,
    )


def accepts(api: Any, call_id: str) -> int:
    return sum(1 for _, path, _ in api.requests if path.endswith(f"/{call_id}/accept"))


async def test_a_retry_during_a_claim_that_fails_is_what_takes_the_call() -> None:
    registry = Registry(fail=True)
    body = incoming("rtc_retried")
    async with recording_api() as api:
        app = app_with(registry, api.url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(timeout=10) as http:
            hook = f"{url}/openai/webhook"
            answers: list[httpx2.Response] = []

            async def first() -> None:
                answers.append(await http.post(hook, content=body, headers=signed(body)))

            async with anyio.create_task_group() as tg:
                tg.start_soon(first)
                await registry.waiting.wait()
                # OpenAI's retry (the same webhook id), and a doubled delivery (a new id).
                retry = await http.post(hook, content=body, headers=signed(body))
                doubled = await http.post(hook, content=body, headers=signed(body, event_id="e2"))
                assert (retry.status_code, doubled.status_code) == (409, 409)
                registry.go.set()
            assert answers[0].status_code == 503
            assert accepts(api, "rtc_retried") == 0
            again = await http.post(hook, content=body, headers=signed(body))
            assert again.json() == {"status": "accepted"}
            with anyio.fail_after(5):
                while not accepts(api, "rtc_retried"):
                    await anyio.sleep(0.02)
            late = await http.post(hook, content=body, headers=signed(body))
            assert late.json() == {"status": "duplicate"}
    assert accepts(api, "rtc_retried") == 1


@pytest.mark.parametrize("how", ["hangs", "is made too late"])
async def test_a_claim_that_hangs_is_given_up_with_a_503(
    monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    # A claim made after the webhook stopped waiting is given back: the retry takes the call.
    monkeypatch.setattr(calls_server, "CLAIM_TIMEOUT_S", 0.3)
    registry = Registry(hang=how == "hangs", late=how != "hangs")
    body = incoming("rtc_hung")
    async with recording_api() as api:
        app = app_with(registry, api.url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(timeout=10) as http:
            hook = f"{url}/openai/webhook"
            with anyio.fail_after(3):
                first = await http.post(hook, content=body, headers=signed(body))
            assert first.status_code == 503
            again = await http.post(hook, content=body, headers=signed(body))
            assert again.json() == {"status": "accepted"}


@pytest.mark.parametrize("headers", [5, True, "From: +1555", {"From": "+1555"}], ids=repr)
async def test_a_malformed_sip_headers_is_read_as_none(headers: Any) -> None:
    seen: list[IncomingCall] = []

    def route(call: IncomingCall) -> rtagents.Agent:
        seen.append(call)
        return rtagents.Agent(name="desk")

    body = incoming("rtc_odd").replace('[{"name": "From", "value": "+1555"}]', json.dumps(headers))
    async with recording_api() as api:
        app = CallServer(route=route, webhook_secret=SECRET, api_key="sk-x", base_url=api.url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(timeout=10) as http:
            answer = await http.post(f"{url}/openai/webhook", content=body, headers=signed(body))
            assert answer.json() == {"status": "accepted"}
            with anyio.fail_after(5):
                while not seen:
                    await anyio.sleep(0.02)
    assert seen[0].sip_headers == {}


async def test_the_local_registry_keeps_only_its_latest_calls() -> None:
    registry = LocalRegistry(remember=3)
    for n in range(4):
        assert await registry.claim(f"rtc_{n}")
    assert not await registry.claim("rtc_3")  # the latest are kept
    assert await registry.claim("rtc_0")  # the oldest went (the verifier's ids cover it)


async def test_an_accept_whose_reply_was_lost_still_gets_its_sideband() -> None:
    """The accept reaches the API and a gateway loses its reply (502): the retry is refused
    (the call is not ringing any more), and the call, which is up, gets its sideband; it
    is neither rejected nor hung up."""
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        upstream = httpx2.AsyncClient()
        seen: list[tuple[str, int]] = []

        async def gateway(request: Request) -> Response:
            path = request.url.path.removeprefix("/v1")
            headers = {"content-type": "application/json"}
            reply = await upstream.post(
                emu.http_url + path, content=await request.body(), headers=headers
            )
            seen.append((path.rsplit("/", 1)[-1], reply.status_code))
            if path.endswith("/accept") and len(seen) == 1:
                return Response("bad gateway", status_code=502)  # taken; the reply lost
            return Response(reply.content, reply.status_code, media_type="application/json")

        api = Starlette(routes=[Route("/{path:path}", gateway, methods=["POST"])])
        async with serve_asgi(api) as api_url:
            app = CallServer(
                agent=rtagents.Agent(name="desk"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,  # the sideband: the emulator's own websocket
                drain_timeout=0,
            )
            app.api.base_url = f"{api_url}/v1"  # the REST requests: through the gateway
            async with serve_asgi(app) as url:
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
                with anyio.fail_after(10):
                    while app.calls.get(call_id) is None or app.calls[call_id].session is None:
                        assert (
                            app.calls.get(call_id) is None or app.calls[call_id].state != "failed"
                        )
                        await anyio.sleep(0.02)
                assert app.calls[call_id].state == "active"
                assert emu.desk.calls[call_id].status == "accepted"
                assert [action for action, _ in seen] == ["accept", "accept"]  # no hang-up
        await upstream.aclose()

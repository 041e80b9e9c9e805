"""Who may use the browser routes of a CallServer. ``POST /session`` spends on the app's key
and ``POST /session/attach`` puts the agent's tools on a call: both do nothing until the app
says who may use them (``authorize=``), and only an explicit ``True`` lets a request in.
Attach takes only a call made with a client secret this server minted (or a call it holds).
Real HTTP under uvicorn; the REST API is the emulator or a recording server."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallerRequest, CallsAPI, CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, recording_api

pytestmark = pytest.mark.anyio
USER = {"authorization": "Bearer user-token-123456"}


def allow_user(request: CallerRequest) -> bool:
    return request.headers.get("authorization") == USER["authorization"]


async def test_without_authorize_the_browser_routes_mint_and_attach_nothing() -> None:
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(), webhook_secret=SECRET, api_key="sk-x", base_url=api.url
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            for _ in range(5):
                minted = await http.post("/session", headers=USER)
                assert minted.status_code == 403
                assert "authorize=" in minted.json()["error"]
            attach = await http.post(
                "/session/attach", json={"call_id": "rtc_someone_elses"}, headers=USER
            )
            assert attach.status_code == 403 and "authorize=" in attach.json()["error"]
    assert api.requests == []  # no secret minted on the app's key
    assert app.calls == {}


async def _slow_yes(request: CallerRequest) -> bool:
    await anyio.sleep(5)
    return True


async def _async_no(request: CallerRequest) -> bool:
    return False


def _raises(request: CallerRequest) -> bool:
    raise RuntimeError(f"database down while checking {request.headers['authorization']}")


DENY: dict[str, Callable[[CallerRequest], Any]] = {
    "none": lambda request: None,
    "one": lambda request: 1,
    "string": lambda request: "yes",
    "list": lambda request: [True],
    "raises": _raises,
    "async-false": _async_no,
    "timeout": _slow_yes,
    "wrong-user": allow_user,
}


@pytest.mark.parametrize("name", list(DENY))
async def test_only_an_explicit_true_lets_a_request_in(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {"authorization": "Bearer someone-else-999999"}
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=api.url,
            authorize=DENY[name],
            authorize_timeout=0.3,
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            minted = await http.post("/session", headers=headers)
            attach = await http.post(
                "/session/attach", json={"call_id": "rtc_abc"}, headers=headers
            )
    assert minted.status_code == attach.status_code == 403
    assert minted.json() == {"error": "not authorized"}
    assert api.requests == [] and app.calls == {}
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("POST /session" in line for line in refusals), refusals
    assert "someone-else" not in caplog.text  # the caller's credentials are never logged


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_a_true_from_a_sync_or_async_authorize_mints(asynchronous: bool) -> None:
    seen: list[CallerRequest] = []

    def check(request: CallerRequest) -> bool:
        seen.append(request)
        return allow_user(request)

    async def check_async(request: CallerRequest) -> bool:
        return check(request)

    authorize: Callable[[CallerRequest], bool | Awaitable[bool]]
    authorize = check_async if asynchronous else check
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=api.url,
            authorize=authorize,
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            minted = await http.post("/session?room=5", headers=USER)
            refused = await http.post("/session")
    assert minted.status_code == 200, minted.text
    assert minted.json()["client_secret"].startswith("ek_")
    assert refused.status_code == 403
    assert [r[1] for r in api.requests] == ["/v1/realtime/client_secrets"]
    request = seen[0]
    assert (request.method, request.path, request.client) == ("POST", "/session", "127.0.0.1")
    assert request.query["room"] == "5"
    assert "user-token" not in repr(request)  # headers stay out of reprs


async def _accepted_call(emu: Emulator) -> str:
    """A call the emulator has accepted, as a browser's WebRTC call would be."""
    call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
    api = CallsAPI("-", emu.http_url)
    await api.accept(call_id, {"type": "realtime"})
    await api.aclose()
    return call_id


async def test_attach_takes_only_a_call_made_with_a_secret_minted_here() -> None:
    agent = rtagents.Agent(name="browser")
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            authorize=allow_user,
            drain_timeout=0,  # (the other call is still up at the end: no wait for it)
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url, headers=USER) as http:
            call_id, other_id = await _accepted_call(emu), await _accepted_call(emu)

            async def attach(body: dict[str, Any]) -> httpx2.Response:
                return await http.post("/session/attach", json=body)

            for bad in ("../../v1/files", "rtc_1/../../files", "rtc_a\r\nb", 7, None):
                refused = await attach({"call_id": bad})
                assert refused.status_code == 400, (bad, refused.text)
            foreign = await attach({"call_id": call_id})
            assert foreign.status_code == 404 and "POST /session" in foreign.json()["error"]
            guessed = await attach({"call_id": call_id, "client_secret": "ek_guessed"})
            assert guessed.status_code == 404
            assert app.calls == {}

            secret = (await http.post("/session")).json()["client_secret"]
            attached = await attach({"call_id": call_id, "client_secret": secret})
            assert attached.status_code == 200 and attached.json() == {"status": "attached"}
            again = await attach({"call_id": call_id, "client_secret": secret})
            assert again.json() == {"status": "attached"}  # a retry of the same attach
            reused = await attach({"call_id": other_id, "client_secret": secret})
            assert reused.status_code == 404  # one secret, one call
            # The call held here is told "attached" only with the secret that attached it:
            # with none, or with another page's fresh secret, it is as unknown (and that
            # secret stays free for its own call).
            fresh = (await http.post("/session")).json()["client_secret"]
            for other in ({"call_id": call_id}, {"call_id": call_id, "client_secret": fresh}):
                hidden = await attach(other)
                assert hidden.status_code == 404 and "POST /session" in hidden.json()["error"]
            mine = await attach({"call_id": other_id, "client_secret": fresh})
            assert mine.json() == {"status": "attached"}
            with anyio.fail_after(10):
                while not emu.desk.calls[call_id]._sidebands:
                    await anyio.sleep(0.02)

            await app.hangup(call_id)
            with anyio.fail_after(10):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.02)
            ended = await attach({"call_id": call_id, "client_secret": secret})
            assert ended.status_code == 404 and "ended" in ended.json()["error"]
    assert sorted(app.calls) == sorted([call_id, other_id])


def test_a_secret_that_attached_its_call_still_holds_it_after_its_lifetime() -> None:
    # A call outlasts its secret's ten minutes: the page that made it is still told
    # "attached"; the secret attaches no other call, and a later mint's sweep keeps it.
    import time

    from rtagents.calls.minted import ATTACH_GRACE_S, MintedSecrets

    minted = MintedSecrets()
    minted.add("ek_first", time.time() + 0.05)
    assert minted.bind("ek_first", "rtc_mine")
    minted.add("ek_unused", time.time() - ATTACH_GRACE_S + 0.05)  # (and its grace with it)
    time.sleep(0.1)
    minted.add("ek_later", time.time() + 600)  # sweeps what expired
    assert minted.holds("ek_first", "rtc_mine")
    assert not minted.bind("ek_first", "rtc_other") and not minted.holds("ek_first", "rtc_other")
    assert not minted.bind("ek_unused", "rtc_other")  # expired before it attached anything


def test_minting_many_secrets_never_pushes_out_one_that_attached_a_call() -> None:
    # The secrets kept are bounded; those still waiting for a call go first. A page whose
    # call is live must still be told how its call goes, however many pages came after.
    import time

    from rtagents.calls.minted import MintedSecrets

    minted = MintedSecrets(keep=3)
    minted.add("ek_mine", time.time() + 600)
    assert minted.bind("ek_mine", "rtc_mine")
    for n in range(10):
        minted.add(f"ek_{n}", time.time() + 600)
    assert minted.holds("ek_mine", "rtc_mine")
    assert minted.bind("ek_9", "rtc_nine")  # the newest are kept
    assert not minted.bind("ek_0", "rtc_zero")  # the oldest unused went

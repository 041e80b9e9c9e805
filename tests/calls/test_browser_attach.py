"""What the browser routes tell the page: ``POST /session`` names where the page posts its
WebRTC offer (the API's calls URL, or the emulator's), and ``POST /session/attach`` answers
"attached" only once the agent's sideband is connected to the call, 404 with a reason for
a call the API does not have or that has ended. Real HTTP and websockets on loopback: the
CallServer under uvicorn, the emulator as the API."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.abc
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import rtagents
from rtagents.calls import CallerRequest, CallsAPI, CallServer
from rtagents.calls import browser as browser_module
from rtagents.calls.registry import LocalRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, accepted_call, recording_api

pytestmark = pytest.mark.anyio


class SlowRegistry(LocalRegistry):
    """A registry with real latency (Redis): each claim takes 0.3 s."""

    async def claim(self, call_id: str) -> bool:
        await anyio.sleep(0.3)
        return await super().claim(call_id)


def anyone(request: CallerRequest) -> bool:
    return True


def server(base_url: str | None, **options: Any) -> CallServer:
    options.setdefault("api_key", "sk-x")
    return CallServer(
        agent=rtagents.Agent(name="browser"),
        webhook_secret=SECRET,
        base_url=base_url,
        authorize=anyone,
        drain_timeout=0,
        **options,
    )


async def test_the_session_reply_names_the_emulators_webrtc_url() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = server(emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            minted = await http.post("/session")
    assert minted.status_code == 200, minted.text
    body = minted.json()
    assert body["webrtc_url"] == f"{emu.http_url}/realtime/calls"
    assert emu.client_secrets.valid(body["client_secret"])


async def test_the_session_reply_names_openais_webrtc_url_by_default() -> None:
    app = server(None)
    assert app.api.base_url == "https://api.openai.com/v1"
    async with recording_api() as api:
        # The server was made for the real API; its REST requests go to a recorder here
        # (the page's URL is the server's, fixed when it was made).
        app.api.base_url = api.url
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            minted = await http.post("/session")
    assert minted.status_code == 200, minted.text
    assert minted.json()["webrtc_url"] == "https://api.openai.com/v1/realtime/calls"
    assert [r[1] for r in api.requests] == ["/v1/realtime/client_secrets"]


async def test_without_a_key_for_openai_the_mint_says_so() -> None:
    app = server(None, api_key="")
    async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
        minted = await http.post("/session")
    assert minted.status_code == 503
    assert "OPENAI_API_KEY" in minted.json()["error"]


async def test_attach_answers_only_once_the_sideband_is_connected() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = server(emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)
            body = {"call_id": call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            # When the reply comes, the sideband is up: the emulator has it, and so has the
            # call's record here.
            assert attached.status_code == 200, attached.text
            assert attached.json() == {"status": "attached"}
            assert len(emu.desk.calls[call_id]._sidebands) == 1
            assert app.calls[call_id].session is not None
            assert app.calls[call_id].state == "active"
            again = await http.post("/session/attach", json=body)
            assert again.json() == {"status": "attached"}  # a retry: still the one sideband
            assert len(emu.desk.calls[call_id]._sidebands) == 1


async def test_attach_to_a_call_the_api_does_not_have_is_404_with_words() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = server(emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            body = {"call_id": "rtc_nosuchcall0123", "client_secret": secret}
            refused = await http.post("/session/attach", json=body)
            again = await http.post("/session/attach", json=body)
    assert refused.status_code == 404, refused.text
    error = refused.json()["error"]
    assert "rtc_nosuchcall0123" in error and "does not exist or has ended" in error
    assert again.status_code == 404
    assert secret not in error and "sk-x" not in error
    assert app.calls["rtc_nosuchcall0123"].state == "failed"


async def test_attach_to_an_ended_call_is_404(caplog: pytest.LogCaptureFixture) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = server(emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)
            api = CallsAPI("-", emu.http_url)
            await api.hangup(call_id)
            await api.aclose()
            body = {"call_id": call_id, "client_secret": secret}
            refused = await http.post("/session/attach", json=body)
    assert refused.status_code == 404, refused.text
    assert "does not exist or has ended" in refused.json()["error"]
    assert emu.desk.calls[call_id]._sidebands == []
    assert secret not in caplog.text and "sk-x" not in caplog.text


async def test_attach_when_the_api_cannot_be_reached_is_502() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        gone = emu.http_url
    # The emulator is gone: its port refuses connections.
    app = server(gone)
    async with recording_api() as api:
        app.api.base_url = api.url  # the mint goes to a recorder; the sideband to nothing
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            body = {"call_id": "rtc_somecall0123", "client_secret": secret}
            refused = await http.post("/session/attach", json=body)
    assert refused.status_code == 502, refused.text
    assert "sideband" in refused.json()["error"]


async def test_a_failed_mint_tells_the_browser_the_status_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        gone = emu.http_url
    app = server(gone)  # the API is gone: minting fails with httpx's own error text
    async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
        refused = await http.post("/session")
    assert refused.status_code == 502, refused.text
    assert refused.json() == {"error": "minting a client secret failed"}
    assert "ConnectError" in caplog.text  # what the API said is in this server's log


@pytest.mark.parametrize("reply", ["<html>Bad gateway</html>", "[1, 2]"], ids=["html", "list"])
async def test_a_mint_reply_that_is_not_a_json_object_is_a_502(reply: str) -> None:
    """A proxy's page, or JSON of another shape, answered 200: no secret was minted."""

    async def answer(request: Request) -> Response:
        return Response(reply, media_type="text/html")

    api = Starlette(routes=[Route("/{path:path}", answer, methods=["POST"])])
    async with serve_asgi(api) as api_url:
        app = server(f"{api_url}/v1")
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            refused = await http.post("/session")
    assert refused.status_code == 502, refused.text
    assert refused.json() == {"error": "minting a client secret failed (HTTP 200)"}


async def test_a_retry_after_a_504_waits_for_the_same_sideband(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sideband has not connected in time (504, "the call goes on trying"); the page
    retries. It was told "attached" while its call still had no tools (the first request's
    answer had let go of the sideband): it is told what that sideband's attach comes to."""
    monkeypatch.setattr(browser_module, "ATTACH_TIMEOUT", 0.5)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")  # never answers
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def hold(stream: Any) -> None:
        await anyio.sleep_forever()

    async with anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hold)
        async with recording_api() as api:
            app = CallServer(
                agent=rtagents.Agent(name="browser"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=f"http://127.0.0.1:{port}/v1",  # the sideband's: it hangs
                authorize=anyone,
                drain_timeout=0,
            )
            app.api.base_url = api.url  # minting works
            async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url, timeout=30) as http:
                secret = (await http.post("/session")).json()["client_secret"]
                body = {"call_id": "rtc_slowcall0123", "client_secret": secret}
                first = await http.post("/session/attach", json=body)
                again = await http.post("/session/attach", json=body)
                session = app.calls["rtc_slowcall0123"].session
        tg.cancel_scope.cancel()
    assert first.status_code == 504, first.text
    assert again.status_code == 504 and session is None, again.text


async def test_how_a_call_ended_is_told_only_to_its_own_page() -> None:
    """Another caller (no secret) learns nothing of a call it did not attach: not that it
    existed, nor how it ended (the answer is the one for a call that never was)."""
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="browser"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            authorize=anyone,
            drain_timeout=0,
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)
            body = {"call_id": call_id, "client_secret": secret}
            assert (await http.post("/session/attach", json=body)).status_code == 200
            await app.hangup(call_id)
            with anyio.fail_after(10):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.02)
            never = await http.post("/session/attach", json={"call_id": "rtc_neverexisted01"})
            other = await http.post("/session/attach", json={"call_id": call_id})
            own = await http.post("/session/attach", json=body)
    assert other.status_code == never.status_code == 404
    assert "ended" not in other.json()["error"]
    assert own.status_code == 404 and "has ended" in own.json()["error"]


async def test_a_retry_while_the_first_attach_is_still_claiming_waits_for_it() -> None:
    """A registry with real latency (Redis): the page's retry came while its first attach
    still waited for the claim, and was told 409, "held by another replica", for the call
    this very replica was taking. It waits for that claim, and is told what it came to."""

    async with Emulator(model=ScriptedModel([])) as emu:
        app = server(emu.http_url, registry=SlowRegistry())
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)
            body = {"call_id": call_id, "client_secret": secret}
            answers: list[httpx2.Response] = []

            async def post() -> None:
                answers.append(await http.post("/session/attach", json=body))

            async with anyio.create_task_group() as tg:
                tg.start_soon(post)
                await anyio.sleep(0.1)  # the first is claiming
                tg.start_soon(post)
            assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
            assert len(emu.desk.calls[call_id]._sidebands) == 1

"""A call the drain's end or the shutdown finds still being set up, or still being let go
of: it is never left ringing, nor up without its tools, and the shutdown waits for it only
so long (``letting_go.LETTING_GO_S``, shortened here)."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall, letting_go, lifecycle
from rtagents.calls.control import TRANSFERRED
from rtagents.calls.lifecycle import HUNG_UP_BY_DRAIN
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

from .test_operations import SECRET, call_up

pytestmark = pytest.mark.anyio


def routed_slowly(
    emu: Emulator, seconds: float, drain_timeout: float = 0
) -> tuple[CallServer, anyio.Event]:
    """An app whose router takes ``seconds`` to answer each call; the event is set as the
    router starts deciding."""
    deciding = anyio.Event()

    async def route(call: IncomingCall) -> rtagents.Agent:
        deciding.set()
        await anyio.sleep(seconds)
        return rtagents.Agent(name="ops")

    app = CallServer(
        route=route,
        webhook_secret=SECRET,
        api_key="sk-x",
        base_url=emu.http_url,
        drain_timeout=drain_timeout,
    )
    return app, deciding


async def test_a_call_still_being_set_up_when_the_drain_ends_is_then_hung_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The drain ends while the router is still deciding: the call's setup goes on, and once
    its session is open it is drained like any other. It is never left up without its tools
    once the process exits: here (one process) it is hung up."""
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, deciding = routed_slowly(emu, 0.3)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                await deciding.wait()
            await app.drain(0)  # returns once the call was hung up
            record = app.calls[call_id]
            assert (record.state, record.reason) == ("ended", HUNG_UP_BY_DRAIN)
            assert record.session is not None
            assert record.session.closed_reason == "closed by the client"
            assert emu.desk.calls[call_id].status == "ended"
    said = [r.getMessage() for r in caplog.records if r.name == "rtagents.calls"]
    assert "drained: 0 call(s) handed over, 1 hung up, 0 other" in said


async def test_a_call_whose_setup_outlasts_the_drain_is_rejected_at_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The router never answers in time: the shutdown cuts the call's setup short, and the
    call is rejected then, not left ringing (no other process can answer it: its webhook
    was taken)."""
    monkeypatch.setattr(letting_go, "LETTING_GO_S", 0.3)
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, deciding = routed_slowly(emu, 60)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                await deciding.wait()
        # The app has shut down (its drain, then its task group cancelled).
        record = app.calls[call_id]
        assert record.state == "rejected", (record.state, record.reason)
        assert record.reason == lifecycle.SHUT_DOWN
        assert emu.desk.calls[call_id].status == "rejected"
        assert emu.desk.calls[call_id].sip_status == letting_go.NOT_ANSWERED.status_code


async def test_a_call_whose_accept_is_unanswered_at_shutdown_is_hung_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The accept reached the API, but its answer has not come back when the shutdown cuts
    the call short: the call cannot be rejected any more, so it is hung up."""
    monkeypatch.setattr(letting_go, "LETTING_GO_S", 0.3)
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, _ = routed_slowly(emu, 0)
        accept, accepted = app.api.accept, anyio.Event()

        async def unanswered(call_id: str, session: Any) -> None:  # the real request, then
            await accept(call_id, session)  # no answer for a minute
            accepted.set()
            await anyio.sleep(60)

        app.api.accept = unanswered  # type: ignore[method-assign]
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                await accepted.wait()
        assert emu.desk.calls[call_id].status == "ended"
        record = app.calls[call_id]
        assert (record.state, record.reason) == ("ended", lifecycle.SHUT_DOWN)


async def test_a_reject_that_never_answers_holds_the_shutdown_up_only_so_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Letting go of a call the shutdown cut short is bounded: the process exits, and the
    call's record says what happened."""
    monkeypatch.setattr(letting_go, "LETTING_GO_S", 0.3)
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, deciding = routed_slowly(emu, 60)

        async def never(call_id: str, status_code: int = 603) -> None:
            await anyio.sleep(60)

        app.api.reject = never  # type: ignore[method-assign]
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                await deciding.wait()
            started = time.monotonic()
        assert time.monotonic() - started < 5
        record = app.calls[call_id]
        assert (record.state, record.reason) == ("failed", lifecycle.LET_GO_LATE)
        assert emu.desk.calls[call_id].status == "ringing"  # as much as could be done


async def test_the_shutdown_after_a_drain_does_not_give_the_calls_their_time_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``rtagents serve`` drains on SIGTERM, then the app shuts down: the shutdown's own
    drain closes what is left at once, not after ``drain_timeout`` more."""
    monkeypatch.setattr(letting_go, "LETTING_GO_S", 0.3)
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, deciding = routed_slowly(emu, 60, drain_timeout=20)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                await deciding.wait()
            await app.drain(0)
            started = time.monotonic()
        assert time.monotonic() - started < 10
        assert app.calls[call_id].state == "rejected"


async def test_a_slow_hang_up_after_the_drain_is_not_sent_again_by_the_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The drain's hang-up takes longer than it may: the shutdown that follows does not
    send a second one, and the record says the call could not be let go of in time."""
    monkeypatch.setattr(letting_go, "LETTING_GO_S", 0.3)
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, _ = routed_slowly(emu, 0)
        hangups: list[str] = []

        async def slow(call_id: str) -> None:
            hangups.append(call_id)
            await anyio.sleep(60)

        released: list[str] = []
        release = app.registry.release

        async def noted(call_id: str) -> None:
            released.append(call_id)
            await release(call_id)

        app.api.hangup = slow  # type: ignore[method-assign]
        app.registry.release = noted  # type: ignore[method-assign]
        async with serve_asgi(app) as url:
            call_id = await call_up(emu, app, url)
            await app.drain(0)
        assert hangups == [call_id]
        record = app.calls[call_id]
        assert (record.state, record.reason) == ("failed", lifecycle.LET_GO_LATE)
        assert released == []  # its claim is left to run out, for a replica to adopt it


async def ended_by_the_app_as_the_shutdown_comes(
    monkeypatch: pytest.MonkeyPatch, how: str
) -> tuple[Emulator, CallServer, str, list[str]]:
    """A call the app hangs up or transfers (``how``) as the app shuts down: the API takes
    the request 1.5 s after it is sent, once the drain has stopped waiting for the call
    (1 s) and the shutdown has cut it short. The emulator, the app, the call, and each
    hang-up request sent."""
    monkeypatch.setattr(letting_go, "LETTING_GO_S", 1.0)
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app, _ = routed_slowly(emu, 0)
        hangups: list[str] = []
        sent = anyio.Event()
        hangup, refer = app.api.hangup, app.api.refer

        async def slow_hangup(call_id: str) -> None:
            hangups.append(call_id)
            if how == "hang up":
                sent.set()
                await anyio.sleep(1.5)
            await hangup(call_id)

        async def slow_refer(call_id: str, target_uri: str) -> None:
            sent.set()
            await anyio.sleep(1.5)
            await refer(call_id, target_uri)

        app.api.hangup = slow_hangup  # type: ignore[method-assign]
        app.api.refer = slow_refer  # type: ignore[method-assign]
        async with anyio.create_task_group() as tg:
            async with serve_asgi(app) as url:
                call_id = await call_up(emu, app, url)
                if how == "hang up":
                    tg.start_soon(app.hangup, call_id)
                else:
                    tg.start_soon(app.transfer, call_id, "sip:desk@example.com")
                with anyio.fail_after(10):
                    await sent.wait()
    return emu, app, call_id, hangups


async def test_a_call_being_transferred_when_the_shutdown_cuts_it_short_is_not_hung_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's transfer is on its way as the shutdown cuts the call short: the call is
    left to its transfer, never hung up."""
    emu, app, call_id, hangups = await ended_by_the_app_as_the_shutdown_comes(
        monkeypatch, "transfer"
    )
    assert hangups == []
    record = app.calls[call_id]
    assert (record.state, record.reason) == ("ended", TRANSFERRED)
    assert emu.desk.calls[call_id].status == "referred"


async def test_a_call_being_hung_up_when_the_shutdown_cuts_it_short_is_hung_up_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's hang-up is on its way as the shutdown cuts the call short: it is the
    call's end, and no second hang-up is sent."""
    emu, app, call_id, hangups = await ended_by_the_app_as_the_shutdown_comes(
        monkeypatch, "hang up"
    )
    assert hangups == [call_id]
    record = app.calls[call_id]
    assert (record.state, record.reason) == ("ended", "hung up")
    assert emu.desk.calls[call_id].status == "ended"

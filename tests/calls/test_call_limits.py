"""Call time limits (``CallServer(max_call_seconds=..., warn_before_s=..., limit_notice=...)``):
``warn_before_s`` before the limit the agent says the notice on the call, and at the limit
the server hangs up through the REST API and records why. The same rule for a SIP call, a
GPT-Live SIP call, a browser's call attached through ``/session/attach`` and a Twilio
stream; a call that ends under the limit is untouched. Real HTTP and websockets on
loopback, against the emulator."""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallerRequest, CallServer, TwilioStreams, end_call
from rtagents.calls.limits import CallLimit
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

from .harness import SECRET, accepted_call, wait_for

pytestmark = pytest.mark.anyio
NOTICE = "We are nearly out of time, so this call ends in a moment."
# The notice at 0.5 s, the hang-up at 3 s: room for the notice to be said on a busy machine.
LIMITS: dict[str, Any] = {"max_call_seconds": 3.0, "warn_before_s": 2.5, "limit_notice": NOTICE}


class Obedient:
    """A model that says what its instructions tell it to say, and else hello."""

    def respond(self, ctx: ModelContext) -> list[Say]:
        return [Say(NOTICE if NOTICE in ctx.instructions else "Hello.")]


def anyone(request: CallerRequest) -> bool:
    return True


def server(emu: Emulator, agent: rtagents.Agent | None = None, **options: Any) -> CallServer:
    return CallServer(
        agent=agent or rtagents.Agent(name="limited"),
        webhook_secret=SECRET,
        api_key="sk-x",
        base_url=emu.http_url,
        authorize=anyone,
        **options,
    )


async def ended_here(app: CallServer, call_id: str) -> None:
    with anyio.fail_after(10):
        while call_id not in app.calls or app.calls[call_id].state in ("ringing", "active"):
            await anyio.sleep(0.02)


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_a_sip_call_hears_the_notice_then_is_hung_up_at_the_limit(api: str) -> None:
    async with Emulator(model=Obedient()) as emu:
        app = server(emu, **LIMITS)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, api=api)  # type: ignore[arg-type]
            record = await wait_for(emu, call_id, "ended")  # the REST hangup ended it
            await ended_here(app, call_id)
    assert record["transcript"] == [{"role": "assistant", "text": NOTICE}]
    served = app.calls[call_id]
    assert (served.state, served.reason) == ("ended", "time limit")


async def test_a_call_that_ends_under_the_limit_is_untouched() -> None:
    model = ScriptedModel([[Say("Goodbye."), CallFunction("end_call")]], then="ok")
    agent = rtagents.Agent(name="short", tools=[end_call])
    async with Emulator(model=model) as emu:
        app = server(emu, agent, max_call_seconds=60, warn_before_s=30, limit_notice=NOTICE)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Bye."])
            record = await wait_for(emu, call_id, "ended")  # end_call hung up
            await ended_here(app, call_id)
    assert [c["name"] for c in record["tool_calls"]] == ["end_call"]
    assert all(NOTICE not in line["text"] for line in record["transcript"])
    served = app.calls[call_id]
    assert served.state == "ended" and served.reason != "time limit"


async def test_a_browser_call_hears_the_notice_then_is_hung_up_at_the_limit() -> None:
    async with Emulator(model=Obedient()) as emu:
        app = server(emu, **LIMITS)
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            secret = (await http.post("/session")).json()["client_secret"]
            call_id = await accepted_call(emu)
            body = {"call_id": call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            assert attached.json() == {"status": "attached"}, attached.text
            record = await wait_for(emu, call_id, "ended")
            await ended_here(app, call_id)
    assert record["transcript"] == [{"role": "assistant", "text": NOTICE}]
    served = app.calls[call_id]
    assert (served.source, served.state, served.reason) == ("browser", "ended", "time limit")


async def test_a_twilio_stream_hears_the_notice_then_is_ended_at_the_limit() -> None:
    async with Emulator(model=Obedient()) as emu:
        app = server(emu, twilio=TwilioStreams(auth_token=None), **LIMITS)
        async with serve_asgi(app) as url:
            stream = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(stream, playback="instant") as phone:
                with anyio.fail_after(10):
                    code = await phone.wait_closed()
            await ended_here(app, phone.call_sid)
    assert code == 1000
    assert phone.received_ms > 0  # the notice was spoken to the caller
    served = app.calls[phone.call_sid]
    assert (served.state, served.reason) == ("ended", "time limit")
    assert NOTICE in str(served.session.history)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_call_seconds": 0}, "max_call_seconds"),
        ({"max_call_seconds": -5}, "max_call_seconds"),
        ({"max_call_seconds": 60, "warn_before_s": -1}, "warn_before_s"),
        ({"max_call_seconds": 20, "warn_before_s": 20}, "warn_before_s"),
        ({"max_call_seconds": float("nan")}, "max_call_seconds"),
    ],
)
def test_limits_that_cannot_work_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallServer(agent=rtagents.Agent(), webhook_secret=SECRET, api_key="-", **options)


def test_the_steps_count_from_the_answer_also_for_a_call_taken_over_late() -> None:
    limit = CallLimit(60, 30, "Nearly out of time.")
    assert limit.steps(0) == [(30, "notice"), (60, "hang up")]
    assert limit.steps(45) == [(15, "hang up")]  # taken over after the notice was due
    assert limit.steps(90) == [(0, "hang up")]  # past its limit: at once
    assert CallLimit(60, 30, None).steps(0) == [(60, "hang up")]  # no notice to say


async def test_a_notice_due_before_the_session_is_up_is_said_once_it_is() -> None:
    """On a busy machine the session may come up after the notice is due: it is said then
    (the hang-up still comes at the limit), not skipped."""
    from rtagents.calls.control import CallRecord
    from rtagents.calls.limits import LimitClock

    class Session:
        api = "realtime"

        def __init__(self) -> None:
            self.said: list[str] = []

        async def create_response(self, *, instructions: str) -> None:
            self.said.append(instructions)

        async def close(self) -> None:
            pass

    record = CallRecord(call_id="rtc_late", caller=None)
    hung = anyio.Event()

    async def hang_up() -> None:
        hung.set()

    started = time.time()
    clock = LimitClock(CallLimit(3, 2.9, NOTICE), record, hang_up, started)
    session = Session()
    async with anyio.create_task_group() as tg:
        tg.start_soon(clock.run)
        await anyio.sleep(0.5)  # the notice was due at 0.1 s; the session comes up now
        record.session = session
        with anyio.fail_after(10):
            while not session.said:
                await anyio.sleep(0.02)
        said_at = time.time() - started
        assert not hung.is_set()  # said late, and the limit has not come
        with anyio.fail_after(10):
            await hung.wait()
        hung_at = time.time() - started
        tg.cancel_scope.cancel()  # (the clock then waits for the API to end the session)
    assert len(session.said) == 1 and NOTICE in session.said[0]
    assert said_at < 3 <= hung_at + 0.05  # the hang-up at the limit, not moved by the notice


async def test_a_hang_up_the_api_answers_404_to_is_a_call_already_over_not_a_failure() -> None:
    """The caller hung up as the limit came: the API no longer has the call (404). The
    call ended; it did not fail (a 500 still fails it, and it is hung up again)."""
    from rtagents.calls.control import CallRecord
    from rtagents.calls.limits import LimitClock
    from rtagents.calls.rest import CallsAPIError

    class Session:
        api = "realtime"
        closed = False

        async def close(self) -> None:
            self.closed = True

    for status, fails in ((404, False), (500, True)):
        record = CallRecord(call_id="rtc_gone", caller=None, session=Session())

        async def hang_up(status: int = status) -> None:
            raise CallsAPIError(f"hanging up: HTTP {status}", status=status)

        clock = LimitClock(CallLimit(1, 0, None), record, hang_up, time.time() - 5)
        with anyio.fail_after(10):
            await clock.run()
        assert clock.reached and record.session.closed
        assert (clock.failed is not None) is fails


def test_a_notice_past_one_gpt_live_append_is_refused_when_the_limit_is_made() -> None:
    """On a GPT-Live call the notice is commentary, which takes 500 tokens at most: a longer
    one was refused at the notice (only logged), and the caller heard nothing."""
    with pytest.raises(ValueError, match="limit_notice"):
        CallLimit(600, 30, "通話時間" * 100)
    assert CallLimit(600, 30, "We are nearly out of time; I will have to hang up soon.").notice

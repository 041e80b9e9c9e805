"""``Agent(filler_after_ms=...)`` against the emulator over a real socket: a batch whose call
is still running that long after its response is done gets one short filler (an
out-of-band response with the app's instructions), then its answer, with exactly one
``response.create`` for the batch."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel
from rtagents.session import WebsocketTransport, fillers
from rtagents.session.realtime_out import ASIDE
from rtagents.testing import SessionRecord, run_session

from ..tracing.conftest import spans  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio

FILLER = "Tell the user, in four words, that you are still on it."
HEARD = "Still on it, sorry."


class Voice:
    """The scripted model; the filler (asked with ``FILLER`` as its instructions) is
    spoken as ``HEARD``."""

    def __init__(self, turns: list[Any]) -> None:
        self.script = ScriptedModel(turns)
        self.fillers: list[ModelContext] = []

    async def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.instructions == FILLER:
            self.fillers.append(ctx)
            return [Say(HEARD)]
        return await self.script.respond(ctx)


@rtagents.tool
async def slow_weather(city: str) -> str:
    """The weather in a city (a slow service)."""
    await anyio.sleep(3)
    return f"sunny in {city}"


def answer(ctx: ModelContext) -> str:
    return "It is " + ctx.pending_outputs[0]["output"]


def heard(event: Any) -> str:
    return " ".join(
        c.transcript or c.text or ""
        for item in event.response.output or []
        if item.type == "message"
        for c in item.content or []
    )


def answered(run: SessionRecord) -> bool:
    return any("It is sunny in Rome" in heard(e) for e in run.of("response.done"))


async def say(session: rtagents.RealtimeSession, emu: Emulator) -> None:
    await session.send_text("Weather in Rome?")


def creates(run: SessionRecord) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``response.create`` frames the emulator received: in the conversation, and out
    of band."""
    frames = run.sent("response.create")
    oob = [f for f in frames if (f.get("response") or {}).get("conversation") == "none"]
    return [f for f in frames if f not in oob], oob


async def test_a_3_s_tool_gets_one_filler_then_its_answer_with_one_create(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    model = Voice([CallFunction("slow_weather", {"city": "Rome"}, call_id="c1"), answer])
    agent = rtagents.Agent(
        name="t", tools=[slow_weather], filler_after_ms=800, filler_instructions=FILLER
    )
    run = await run_session(agent, model, say, until=answered, within=15, socket=True)

    in_conversation, oob = creates(run)
    assert len(oob) == 1 and oob[0]["response"]["instructions"] == FILLER
    kinds = [
        f["item"]["type"] if f["type"] == "conversation.item.create" else f["type"]
        for f in run.client_events
        if f["type"] in ("response.create", "conversation.item.create")
    ]
    # The user's turn, then the batch's output and its ONE response.create.
    assert len(in_conversation) == 2
    assert kinds[kinds.index("function_call_output") :].count("response.create") == 1
    [requested] = run.of("filler.requested")
    assert requested.call_ids == ("c1",)
    assert len(model.fillers) == 1
    done = run.of("response.done")
    assert [heard(e) for e in done][1:] == [HEARD, "It is sunny in Rome"]
    assert done[1].response.conversation_id is None  # the filler: out of band
    assert run.outputs == {"c1": "sunny in Rome"}
    # Span events: on the session's span and on the running call's.
    finished = spans.get_finished_spans()
    [session_span] = [s for s in finished if s.name == "invoke_agent t"]
    [tool_span] = [s for s in finished if s.name == "execute_tool slow_weather"]
    [event] = [e for e in session_span.events if e.name == "filler.requested"]
    assert list(event.attributes["rtagents.filler.call_ids"]) == ["c1"]
    assert [e.name for e in tool_span.events] == ["filler.requested"]


async def test_a_quick_tool_gets_no_filler() -> None:
    @rtagents.tool
    async def quick_weather(city: str) -> str:
        """The weather in a city."""
        return f"sunny in {city}"

    async def slow_answer(ctx: ModelContext) -> str:
        await anyio.sleep(1.2)  # the filler's time passes while the answer is on its way
        return answer(ctx)

    model = Voice([CallFunction("quick_weather", {"city": "Rome"}, call_id="c1"), slow_answer])
    agent = rtagents.Agent(
        name="t", tools=[quick_weather], filler_after_ms=800, filler_instructions=FILLER
    )
    run = await run_session(agent, model, say, until=answered, within=15, socket=True)
    assert creates(run)[1] == [] and run.of("filler.requested") == []


def test_the_agent_checks_its_filler_settings() -> None:
    with pytest.raises(ValueError, match="filler_after_ms"):
        rtagents.Agent(filler_after_ms=0)
    with pytest.raises(ValueError, match="filler_instructions"):
        rtagents.Agent(filler_after_ms=500, filler_instructions="  ")
    assert rtagents.Agent(filler_after_ms=500).filler_instructions is None


class Unanswered:
    """A fault on the way out: the server never gets our asides' requests (so it neither
    starts them nor names them in an error); everything else goes through."""

    def __init__(self, inner: WebsocketTransport) -> None:
        self.inner = inner
        self.swallowed: list[dict[str, Any]] = []

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        event = json.loads(frame)
        if ASIDE in ((event.get("response") or {}).get("metadata") or {}):
            self.swallowed.append(event)
            return
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        return await self.inner.recv()

    async def close(self) -> None:
        await self.inner.close()


async def test_a_filler_the_server_never_answers_does_not_hold_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The batch's answer waits for our filler; a filler the server never answers is given
    up after its own timer (shortened here), and the answer comes, once."""
    monkeypatch.setattr(fillers, "ASIDE_ANSWER_S", 0.5)
    model = Voice([CallFunction("slow_weather", {"city": "Rome"}, call_id="c1"), answer])
    agent = rtagents.Agent(
        name="t", tools=[slow_weather], filler_after_ms=800, filler_instructions=FILLER
    )
    async with Emulator(model=model) as emu:
        transport = Unanswered(await WebsocketTransport.open(emu.url, {}))
        async with rtagents.connect(agent, transport=transport) as session:
            await session.send_text("Weather in Rome?")
            seen: list[Any] = []
            with anyio.fail_after(15):
                async for event in session:
                    seen.append(event)
                    if event.type == "response.done" and "It is sunny in Rome" in heard(event):
                        break
                else:
                    pytest.fail("the session ended before the answer")
        sent = [e for e in emu.last.received if e.get("type") == "response.create"]
    [swallowed] = transport.swallowed
    assert swallowed["response"]["instructions"] == FILLER
    assert model.fillers == []
    warnings = [e.message for e in seen if e.type == "session.warning"]
    assert any("aside got no answer" in m for m in warnings)
    assert len(sent) == 2  # the user's turn, then the batch's ONE request

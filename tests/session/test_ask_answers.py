"""session.ask(): which response's events it returns, and when it returns."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ErrorReply, ModelContext, ScriptedModel
from rtagents.testing import run_agent


@rtagents.tool
async def slow_lookup(order: str) -> str:
    """Look up an order (slowly)."""
    await anyio.sleep(0.6)
    return f"order {order}: shipped"


@pytest.mark.anyio
async def test_ask_returns_the_answer_not_the_filler() -> None:
    # Agent.filler_after_ms: a filler is "never the batch's answer" (docs/agent.md), so
    # ask() / run_agent must not take it for the answer.
    agent = rtagents.Agent(
        name="shop", tools=[slow_lookup], output_modalities=["text"], filler_after_ms=100
    )

    def turn(ctx: ModelContext) -> object:
        if ctx.metadata:  # the filler (an out-of-band response of ours)
            return "One moment."
        if ctx.pending_outputs:
            return "It has shipped."
        return CallFunction("slow_lookup", {"order": "42"})

    record = await run_agent(agent, [turn, turn, turn], "Where is order 42?", within=5)
    record.assert_called("slow_lookup", order="42")
    assert record.reply == "It has shipped."


def failing_turn(ctx: ModelContext) -> object:
    raise RuntimeError("the model broke")


@pytest.mark.anyio
async def test_ask_returns_when_the_response_failed() -> None:
    # A response that ends "failed" (no output) is over: nothing else will come for it.
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel([failing_turn])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(3):
                events = await session.ask("Hello?")
    done = [e for e in events if e.type == "response.done"]
    assert done and done[-1].response.status == "failed"


@pytest.mark.anyio
async def test_ask_after_a_greeting_returns_the_answer_to_its_own_question() -> None:
    # A common start: the agent greets first (create_response), then the user asks.
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    model = ScriptedModel(["Welcome to the shop!", "It is sunny in Paris."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.create_response()  # the greeting
            with anyio.fail_after(5):
                events = await session.ask("Weather in Paris?")
    said = [e.text for e in events if e.type == "response.output_text.done"]
    assert said[-1:] == ["It is sunny in Paris."], said


@pytest.mark.anyio
async def test_ask_with_handlers_only_buffering() -> None:
    # docs/session.md: "If you only use handlers, pass max_buffered_events=0". ask() is
    # documented to return the events read (handlers see them too): it must not hang.
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        async with rtagents.connect(agent, url=emu.url, max_buffered_events=0) as session:
            hung = False
            try:
                with anyio.fail_after(3):
                    await session.ask("Hi")  # returns, or says at once why it cannot
            except TimeoutError:
                hung = True
            except Exception:
                pass
    assert not hung, "ask() waited forever for events that are never buffered"


@pytest.mark.anyio
async def test_ask_returns_when_its_response_create_is_refused() -> None:
    # The server answers the response.create with an error: no response will come.
    from rtagents.emulator import ErrorReply

    agent = rtagents.Agent(name="a", output_modalities=["text"])
    refuse = ErrorReply(to="response.create", code="server_error")
    async with Emulator(model=ScriptedModel(["Hi."]), faults=[refuse]) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(3):
                events = await session.ask("Hello?")
    assert any(e.type == "error" for e in events)


class _ItemCreatedServer:
    """The emulator's connection, as a server that says ``conversation.item.created``
    (the beta API's, Azure's) where the GA API says ``conversation.item.added``: an event
    the session handles (realtime.py routes it as an item confirmation)."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return self._inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self._inner.send(frame)

    async def recv(self):
        frame = await self._inner.recv()
        if isinstance(frame, str):
            frame = frame.replace('"conversation.item.added"', '"conversation.item.created"')
        return frame

    async def close(self) -> None:
        await self._inner.close()


@pytest.mark.anyio
async def test_ask_with_a_server_that_says_item_created() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["It is sunny."])) as emu:
        transport = _ItemCreatedServer(emu.transport())
        async with rtagents.connect(agent, transport=transport, reconnect=None) as session:
            with anyio.fail_after(3):
                events = await session.ask("Weather?")
    said = [e.text for e in events if e.type == "response.output_text.done"]
    assert said == ["It is sunny."]


@pytest.mark.anyio
async def test_ask_when_the_server_refuses_the_message_item() -> None:
    # The message is refused (an error to conversation.item.create): no answer to it will
    # come, and ask() returns with the refusal (the response.create still runs, and its
    # response, which answers without the message, is the next events').
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    refuse = ErrorReply(to="conversation.item.create", code="invalid_value")
    async with Emulator(model=ScriptedModel(["Hm?"]), faults=[refuse]) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(3):
                events = await session.ask("Hello?")
    assert events[-1].type == "error" and events[-1].error.code == "invalid_value"


@rtagents.tool(trigger_response=False)
async def note_it(text: str) -> str:
    """Note something down (the model need not answer)."""
    return "noted"


@pytest.mark.anyio
async def test_ask_returns_when_its_calls_ask_for_nothing_more() -> None:
    # ask()'s docstring: it ends at a response that "asks for nothing more". A response whose
    # only call is trigger_response=False asks for no next turn: nothing else will come.
    from rtagents.emulator import CallFunction

    agent = rtagents.Agent(name="a", tools=[note_it], output_modalities=["text"])
    model = ScriptedModel([CallFunction("note_it", {"text": "milk"})])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(3):
                events = await session.ask("Note: buy milk")
    assert any(e.type == "response.done" for e in events)

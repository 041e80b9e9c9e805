"""A call that finishes while the conversation is being given back to a new connection: its
output goes out before the session asks for the response it is owed, so that one response
answers it, having seen it (one ``response.create`` for the batch, on either connection)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]


class SlowSecondLink:
    """The emulator's transport, recording what the client sends; on the second connection
    each item created takes 20 ms to go out, and the first one starts the call's end."""

    def __init__(self, inner: Any, n: int, sent: list[str], replaying: anyio.Event) -> None:
        self.inner, self.n, self.sent, self.replaying = inner, n, sent, replaying

    def send_wont_block(self, frame: str) -> bool:
        return True

    async def send(self, frame: str) -> None:
        event = json.loads(frame)
        kind = event["type"]
        if kind == "conversation.item.create":
            kind += ":" + event["item"]["type"]
            if self.n == 2:
                self.replaying.set()
                await anyio.sleep(0.02)
        self.sent.append(kind)
        await self.inner.send(frame)

    async def recv(self) -> Any:
        return await self.inner.recv()

    def buffered(self) -> bool:
        return bool(self.inner.buffered())

    async def close(self) -> None:
        await self.inner.close()


class Model:
    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def respond(self, ctx: ModelContext) -> list[Any]:
        kinds = [item.get("type") for item in ctx.items]
        self.seen.append(kinds)
        if "function_call" not in kinds:
            return [CallFunction("lookup", {"q": "x"}, call_id="call_1")]
        if "function_call_output" not in kinds:
            return [Say("I do not have the result yet.")]
        return [Say("The answer is 42.")]


async def test_an_output_made_during_the_replay_goes_before_the_response_it_is_owed() -> None:
    replaying = anyio.Event()
    sent: list[list[str]] = []

    @rtagents.tool(timeout=10)
    async def lookup(q: str) -> str:
        """Look it up."""
        await replaying.wait()  # finishes while the replay goes out
        return "42"

    model = Model()
    async with Emulator(model=model) as emu:

        def opener() -> Any:
            sent.append([])
            return SlowSecondLink(emu.transport(), len(sent), sent[-1], replaying)

        agent = rtagents.Agent(name="a", tools=[lookup], output_modalities=["text"])
        reconnect = Reconnect(backoff=0.01, max_backoff=0.05)
        async with rtagents.connect(agent, transport=opener, reconnect=reconnect) as session:
            events: list[Any] = []
            session.on("*")(events.append)
            await session.send_text("look it up")
            with anyio.fail_after(5):
                while not [e for e in events if e.type == "tool.call.started"]:
                    await anyio.sleep(0.01)
                emu.last.drop()
                while "The answer is 42." not in str(
                    [e.response.output for e in events if e.type == "response.done"]
                ):
                    await anyio.sleep(0.02)
            await anyio.sleep(0.3)  # time for a second response to show, were there one
    second = sent[1]
    output = second.index("conversation.item.create:function_call_output")
    assert second.count("response.create") == 1, second
    assert output < second.index("response.create"), second
    assert [kinds for kinds in model.seen if "function_call" in kinds] == [
        ["message", "function_call", "function_call_output"]
    ]
    assert [e.call_ids for e in events if e.type == "response.requested"] == [("call_1",)]

"""A drop first met by a send (the app streaming audio, say) while the reader still has the
old connection's frames to read: the connection is written off once the reader reaches its
close, after it has acted on those frames, as when the reader meets the close first. Written
off by the send, the frames came after the drop's bookkeeping (``FORGET``): a
``response.created`` among them left a dead response active, and the new connection never
asked for the answer its batch was owed (docs/session.md, "Reconnect and replay", step 4);
a whole answer among them was asked for again."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.session.transport import WebsocketTransport
from tests.session.hostile import Hostile, hostile_server

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


class Held:
    """A real websocket whose reading a test can hold after a chosen frame (a reader that is
    behind the socket, as one answering a burst is)."""

    def __init__(self, inner: WebsocketTransport) -> None:
        self.inner = inner
        self.hold_after: Any = lambda e: False
        self.opened = anyio.Event()
        self.holding = False
        self.held = anyio.Event()

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        if self.holding:
            self.held.set()
            await self.opened.wait()
            self.holding = False
        frame = await self.inner.recv()
        if not self.opened.is_set() and self.hold_after(json.loads(frame)):
            self.holding = True
        return frame

    async def close(self) -> None:
        await self.inner.close()


@asynccontextmanager
async def behind_after_the_output(server: Hostile) -> AsyncIterator[tuple[Any, Held]]:
    """A session whose tool call was answered, and ``response.create`` asked for, with its
    reader held behind the socket once it has read the output's confirmation: the session,
    and its first connection (``opened.set()`` lets the reader catch up)."""

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the card."""
        return f"charged {amount}"

    transports: list[Held] = []

    async def opener() -> Held:
        held = Held(await WebsocketTransport.open(server.url, {}))
        transports.append(held)
        return held

    agent = rtagents.Agent(name="shop", tools=[charge], output_modalities=["text"])
    with anyio.fail_after(15):
        async with rtagents.connect(agent, transport=opener, reconnect=FAST) as session:
            first = transports[0]
            first.hold_after = lambda e: (
                e["type"] == "conversation.item.added"
                and e["item"].get("type") == "function_call_output"
            )
            await server.call("charge", {"amount": 5}, "call_1")
            await server.wait_for(lambda e: e["type"] == "response.create")
            await first.held.wait()
            yield session, first
    assert len(transports) == 2  # one reconnect


async def drop(server: Hostile, first: Held) -> None:
    """The server closes the first connection with an error (1011)."""
    await server.close(1011, "boom")
    while first.inner._ws.protocol.state.name == "OPEN":
        await anyio.sleep(0.01)


async def resent_since(server: Hostile, before: int, item: Callable[[Any], bool]) -> None:
    """Until the new connection is configured and given the item ``item`` picks back."""
    await server.wait_for(
        lambda e: e["type"] == "session.update" and server.received.index(e) >= before
    )
    await server.wait_for(
        lambda e: (
            e["type"] == "conversation.item.create"
            and item(e["item"])
            and server.received.index(e) >= before
        )
    )


@pytest.mark.parametrize("answer_begun", [False, True])
async def test_a_drop_learnt_by_a_send_still_asks_for_the_owed_answer(answer_begun: bool) -> None:
    """``answer_begun=False`` is the control: no stale ``response.created``."""
    async with hostile_server() as server, behind_after_the_output(server) as (session, first):
        if answer_begun:  # the answer begins on the old connection, which then drops
            created = {"id": "resp_answer", "status": "in_progress", "output": []}
            await server.send({"type": "response.created", "response": created})
        await drop(server, first)
        await session.send_audio(b"\x00\x00" * 240)  # the app's send meets the close first
        before = len(server.received)
        first.opened.set()  # the reader catches up with the old connection's frames
        await resent_since(server, before, lambda i: i.get("type") == "function_call_output")
        # The new connection has the conversation back; the batch's answer is owed.
        with anyio.move_on_after(2):
            while not [e for e in server.received[before:] if e["type"] == "response.create"]:
                await anyio.sleep(0.02)
        asks = [e for e in server.received[before:] if e["type"] == "response.create"]
    assert len(asks) == 1, [e["type"] for e in server.received[before:]]


@pytest.mark.parametrize("send_meets_the_drop", [False, True])
async def test_an_answer_read_in_full_after_a_send_met_the_drop_is_not_asked_again(
    send_meets_the_drop: bool,
) -> None:
    """The same drop, with the whole answer among the stale frames: the client read it to
    its ``response.done`` (and gives it back in the replay), so the batch is answered; the
    new connection must not ask for a second answer. ``send_meets_the_drop=False`` is the
    control, where the reader learns of the drop."""
    async with hostile_server() as server, behind_after_the_output(server) as (session, first):
        message = {
            "type": "message",
            "role": "assistant",
            "id": "msg_answer",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Charged 5."}],
        }
        created = {"id": "resp_answer", "status": "in_progress", "output": []}
        await server.send({"type": "response.created", "response": created})
        await server.output_item("done", message, response_id="resp_answer")
        done = {"id": "resp_answer", "status": "completed", "output": [message]}
        await server.send({"type": "response.done", "response": done})
        await drop(server, first)
        if send_meets_the_drop:
            await session.send_audio(b"\x00\x00" * 240)
        before = len(server.received)
        first.opened.set()
        await resent_since(server, before, lambda i: i.get("id") == "msg_answer")
        await anyio.sleep(0.5)  # (a second answer would be asked for by now)
        asks = [e for e in server.received[before:] if e["type"] == "response.create"]
    assert asks == [], [e["type"] for e in server.received[before:]]

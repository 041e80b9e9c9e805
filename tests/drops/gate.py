"""A real websocket to the emulator, with a gate on what the client reads: a test holds the
client's reading at a chosen server event, and opens it again when the client has sent a
chosen client event (or when the test opens it), so that the order of what happens on both
sides is fixed, whatever the timing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio

from rtagents.session.transport import WebsocketTransport

Frame = dict[str, Any]


class Gate:
    """Wraps one connection. ``hold_after(frame)`` says whether to stop reading after the
    frame just read; ``open_on(frame)`` whether a frame the client sends opens the gate;
    ``keep_back(frame)`` whether a client frame is kept back: sent once the client has read
    the server's next ``response.done`` (as when it reaches a server that has finished)."""

    def __init__(
        self,
        inner: WebsocketTransport,
        *,
        hold_after: Callable[[Frame], bool] = lambda f: False,
        open_on: Callable[[Frame], bool] = lambda f: False,
        keep_back: Callable[[Frame], bool] = lambda f: False,
    ) -> None:
        self.inner = inner
        self.hold_after = hold_after
        self.open_on = open_on
        self.keep_back = keep_back
        self.kept: list[str] = []
        self.opened = anyio.Event()
        self.holding = False
        self.read: list[Frame] = []
        self.sent: list[Frame] = []

    def open(self) -> None:
        self.opened.set()

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        event = json.loads(frame)
        self.sent.append(event)
        if self.keep_back(event):
            self.kept.append(frame)
        else:
            await self.inner.send(frame)
        if self.open_on(event):
            self.opened.set()

    async def recv(self) -> str | bytes:
        if self.holding:
            await self.opened.wait()
            self.holding = False
        frame = await self.inner.recv()
        event = json.loads(frame)
        self.read.append(event)
        if event["type"] == "response.done":
            kept, self.kept = self.kept, []
            for held in kept:
                await self.inner.send(held)
        if not self.opened.is_set() and self.hold_after(event):
            self.holding = True
        return frame

    async def close(self) -> None:
        await self.inner.close()


def opener(url: str, gates: list[Gate], make: Callable[[WebsocketTransport, int], Gate]) -> Any:
    """``transport=`` for ``connect``: each connection over a real socket to ``url``, wrapped
    by ``make(transport, n)`` (n from 1), kept in ``gates``."""

    async def open_() -> Gate:
        inner = await WebsocketTransport.open(url, {"Authorization": "Bearer test"})
        gate = make(inner, len(gates) + 1)
        gates.append(gate)
        return gate

    return open_


def said(items: list[Frame]) -> list[tuple[str, ...]]:
    """A conversation's items as the model reads them: kind, role, text; call, output."""
    out: list[tuple[str, ...]] = []
    for item in items:
        kind = item.get("type")
        if kind == "message":
            text = " ".join(
                c.get("text") or c.get("transcript") or "" for c in item.get("content") or []
            )
            out.append((kind, item["role"], text))
        elif kind == "function_call":
            out.append((kind, item["call_id"], item["name"]))
        elif kind == "function_call_output":
            out.append((kind, item["call_id"], item["output"]))
        else:
            out.append((str(kind),))
    return out

"""A hostile Realtime server for reliability tests: a websockets server on loopback that does
just enough of the protocol to host a session, and otherwise sends whatever a test tells it to,
stops reading, or drops the connection."""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from websockets.asyncio.server import ServerConnection, serve


class Hostile:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.ws: ServerConnection | None = None
        self.reading = True
        self.answers_updates = True  # False: a test sends ``session.updated`` itself
        self.connected = anyio.Event()
        self.released = anyio.Event()  # ends a pause in reading (set when the server stops)
        self._got = anyio.Event()
        self._n = 0
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def _handle(self, ws: ServerConnection) -> None:
        self.ws = ws
        await self.send(
            {"type": "session.created", "session": {"type": "realtime", "id": "sess_1"}}
        )
        self.connected.set()
        try:
            async for frame in ws:
                event = json.loads(frame)
                self.received.append(event)
                self._got.set()
                if event["type"] == "session.update" and self.answers_updates:
                    await self.send({"type": "session.updated", "session": event["session"]})
                elif event["type"] == "conversation.item.create":
                    await self.send({"type": "conversation.item.added", "item": event["item"]})
                if not self.reading:
                    await self.released.wait()
        except Exception:
            pass

    async def send(self, event: dict[str, Any] | str) -> None:
        assert self.ws is not None
        if isinstance(event, dict):
            self._n += 1
            event = json.dumps({"event_id": f"evt_{self._n}", **event})
        await self.ws.send(event)

    async def told(self, session: Any, frame: dict[str, Any] | str) -> list[Any]:
        """What the app is told of ``frame``: it is sent, then a marker
        (``input_audio_buffer.cleared``), and the session's events are read up to it."""
        await self.send(frame)
        await self.send({"type": "input_audio_buffer.cleared"})
        seen: list[Any] = []
        async for event in session:
            if event.type == "input_audio_buffer.cleared":
                return seen
            seen.append(event)
        pytest.fail("the session ended before the marker")

    async def transcript_delta(
        self, text: str, *, response_id: str = "resp_1", item_id: str = "msg_1"
    ) -> None:
        """A delta of the assistant's spoken answer (its transcript)."""
        await self.send(
            {
                "type": "response.output_audio_transcript.delta",
                "response_id": response_id,
                "item_id": item_id,
                "output_index": 0,
                "content_index": 0,
                "delta": text,
            }
        )

    async def output_item(
        self, kind: str, item: dict[str, Any], response_id: str = "resp_1"
    ) -> None:
        """``response.output_item.<kind>`` (``added`` or ``done``) for ``item``."""
        event = {"response_id": response_id, "output_index": 0, "item": item}
        await self.send({"type": f"response.output_item.{kind}", **event})

    async def hosted_listing(
        self, label: str, hints: dict[str, bool | None], item_id: str = "mcpl_1"
    ) -> None:
        """A hosted server's ``mcp_list_tools`` item, done: its tools by name, each with its
        ``readOnlyHint`` (``None``: none given)."""
        tools = []
        for name, read_only in hints.items():
            tool: dict[str, Any] = {"name": name, "input_schema": {"type": "object"}}
            if read_only is not None:
                tool["annotations"] = {"readOnlyHint": read_only}
            tools.append(tool)
        item = {"id": item_id, "type": "mcp_list_tools", "server_label": label, "tools": tools}
        await self.send({"type": "conversation.item.done", "item": item})

    async def hosted_request(
        self,
        label: str,
        name: str,
        request_id: str = "mcpr_1",
        response_id: str = "r1",
        *,
        created: bool = False,
    ) -> dict[str, Any]:
        """A hosted approval request in the response ``response_id`` (``created``: begun
        by then; else it begins now): the client's answer item, once it comes."""
        if not created:
            begun = {"id": response_id, "status": "in_progress"}
            await self.send({"type": "response.created", "response": begun})
        request = {"type": "mcp_approval_request", "id": request_id, "server_label": label}
        request |= {"name": name, "arguments": "{}"}
        await self.output_item("done", request, response_id=response_id)
        answer = await self.wait_for(
            lambda e: (
                e["type"] == "conversation.item.create"
                and e["item"].get("type") == "mcp_approval_response"
                and e["item"].get("approval_request_id") == request_id
            )
        )
        return answer["item"]  # type: ignore[no-any-return]

    async def call(
        self,
        name: str,
        arguments: str | dict[str, Any],
        call_id: str,
        *,
        done: bool = True,
        response_id: str = "",
    ) -> None:
        """A response that calls one function tool."""
        rid = response_id or f"resp_{call_id}"
        item = call_item(name, arguments, call_id)
        await self.send(
            {
                "type": "response.created",
                "response": {"id": rid, "status": "in_progress", "output": []},
            }
        )
        await self.send(
            {
                "type": "response.output_item.done",
                "response_id": rid,
                "output_index": 0,
                "item": item,
            }
        )
        if done:
            await self.send(
                {
                    "type": "response.done",
                    "response": {"id": rid, "status": "completed", "output": [item]},
                }
            )

    async def wait_for(self, predicate: Any, within: float = 5) -> dict[str, Any]:
        with anyio.fail_after(within):
            while True:
                for event in self.received:
                    if predicate(event):
                        return event
                self._got = anyio.Event()
                await self._got.wait()

    async def output_for(self, call_id: str, within: float = 5) -> str:
        event = await self.wait_for(
            lambda e: (
                e["type"] == "conversation.item.create"
                and e["item"].get("type") == "function_call_output"
                and e["item"].get("call_id") == call_id
            ),
            within,
        )
        return str(event["item"]["output"])

    def outputs(self, call_id: str) -> list[str]:
        return [
            e["item"]["output"]
            for e in self.received
            if e["type"] == "conversation.item.create"
            and e["item"].get("type") == "function_call_output"
            and e["item"].get("call_id") == call_id
        ]

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e["type"] == kind]

    async def close(self, code: int = 1011, reason: str = "boom") -> None:
        assert self.ws is not None
        await self.ws.close(code, reason)

    async def drop(self, how: str) -> None:
        """Drop the connection: ``"reset"`` (a RST) or ``"close 1011"`` (a close frame)."""
        if how == "reset":
            self.reset()
        else:
            await self.close(1011, "internal error")

    def reset(self) -> None:
        """Drop the TCP connection with a RST, no close frame."""
        assert self.ws is not None
        sock = self.ws.transport.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.ws.transport.abort()


@asynccontextmanager
async def hostile_server(**options: Any) -> AsyncIterator[Hostile]:
    server = Hostile()
    async with serve(server._handle, "127.0.0.1", 0, **options) as ws_server:
        server.port = next(iter(ws_server.sockets)).getsockname()[1]
        try:
            yield server
        finally:
            server.released.set()


def call_item(name: str, arguments: str | dict[str, Any], call_id: str) -> dict[str, Any]:
    """A completed ``function_call`` item, as ``call`` sends it (id ``item_<call_id>``)."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {
        "type": "function_call",
        "id": f"item_{call_id}",
        "name": name,
        "arguments": args,
        "call_id": call_id,
        "status": "completed",
    }


def message_item(status: str, text: str = "", item_id: str = "msg_1") -> dict[str, Any]:
    """An assistant message item, spoken (``text``: its transcript, when it says it)."""
    content = [{"type": "output_audio", "transcript": text}] if text else []
    return {
        "type": "message",
        "role": "assistant",
        "id": item_id,
        "status": status,
        "content": content,
    }

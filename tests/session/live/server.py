"""A scripted GPT-Live server on a loopback socket, for the session tests until the emulator's
Live endpoint lands: it answers ``session.start`` as the real server does, records every
client frame, and lets a test play the server's side of a delegation (``send``) and wait for
the client's (``expect``)."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from websockets.asyncio.server import ServerConnection, serve

import rtagents
from rtagents import Reconnect

from .frames import snapshot

_ids = itertools.count(1)


class LiveServer:
    """One Live session at a time, at ``url``."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[dict[str, Any]] = []
        self.session: dict[str, Any] = {}
        self.path = ""
        self.refuse: dict[str, Any] | None = None
        """An ``error`` to answer ``session.start`` with, instead of ``session.started``."""
        self._ws: ServerConnection | None = None
        self._arrived = anyio.Event()
        self._connected = anyio.Event()

    async def _handle(self, ws: ServerConnection) -> None:
        self._ws = ws
        self.path = ws.request.path if ws.request is not None else ""
        self._connected.set()
        with contextlib.suppress(Exception):
            async for text in ws:
                event = json.loads(text)
                self.received.append(event)
                if event["type"] == "session.start" and self.refuse is not None:
                    ref = event.get("event_id")
                    error = {**self.refuse, "client_event_id": ref}
                    await self.send("error", client_event_id=ref, error=error)
                elif event["type"] == "session.start":
                    self.session = event["session"]
                    resource = {**event["session"], "id": "live_1", "expires_at": 1_900_000_000}
                    await self.send(
                        "session.started",
                        client_event_id=event.get("event_id"),
                        session={**resource, "status": "active"},
                    )
                self._arrived.set()
                self._arrived = anyio.Event()

    async def send(self, kind: str, **fields: Any) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps({"type": kind, "event_id": f"srv_{next(_ids)}", **fields}))

    async def stream(
        self, delegation_id: str, kind: str, ref: str | None = None, **fields: Any
    ) -> None:
        """One Responses event of the delegated backend, in a ``response.event`` (``ref``:
        the client's request it names, as its ``client_event_id``)."""
        inner = {"type": kind, "sequence_number": next(_ids), **fields}
        named = {"client_event_id": ref} if ref is not None else {}
        await self.send("response.event", delegation_id=delegation_id, event=inner, **named)

    async def both_waiting(self) -> str:
        """Two delegations under way at once (``del_1``, ``del_2``), each making a call to
        ``lookup`` (``call_a``, ``call_b``) whose output goes as its response runs; both end,
        and the one ``response.create`` that goes for both is returned (its event id)."""
        for did, rid, call_id in (("del_1", "resp_1", "call_a"), ("del_2", "resp_2", "call_b")):
            await self.delegate_calls(did, rid, (call_id, "lookup", '{"x":"y"}'), complete=False)
        await self.expect("response.item.create", 2)
        for did, rid in (("del_1", "resp_1"), ("del_2", "resp_2")):
            await self.stream(did, "response.completed", response=snapshot(rid, "completed"))
        [ask] = await self.expect("response.create")
        return str(ask["event_id"])

    async def delegate_calls(
        self, delegation_id: str, rid: str, *calls: tuple[str, str, str], complete: bool = True
    ) -> None:
        """A delegation to the backend whose response makes ``calls`` (``call_id``, name,
        arguments) and completes (unless not ``complete``: it runs on, for the test to end)."""
        delegation = {
            "type": "delegation",
            "id": delegation_id,
            "target": "responses",
            "response_id": rid,
        }
        await self.send("session.delegation.created", offset_ms=500, delegation=delegation)
        await self.stream(delegation_id, "response.created", response=snapshot(rid, "in_progress"))
        for index, (call_id, name, arguments) in enumerate(calls):
            item = {
                "type": "function_call",
                "id": f"fc_{call_id}",
                "call_id": call_id,
                "name": name,
                "arguments": arguments,
                "status": "completed",
            }
            await self.stream(
                delegation_id,
                "response.output_item.added",
                output_index=index,
                item={**item, "arguments": "", "status": "in_progress"},
            )
            await self.stream(
                delegation_id,
                "response.function_call_arguments.done",
                item_id=item["id"],
                output_index=index,
                arguments=arguments,
            )
            await self.stream(
                delegation_id, "response.output_item.done", output_index=index, item=item
            )
        if complete:
            await self.stream(
                delegation_id, "response.completed", response=snapshot(rid, "completed")
            )

    async def answer(self, delegation_id: str, rid: str, text: str) -> None:
        """The backend's next response: a message, then the Live model says it."""
        message = {
            "type": "message",
            "id": f"msg_{rid}",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }
        await self.stream(delegation_id, "response.created", response=snapshot(rid, "in_progress"))
        await self.stream(delegation_id, "response.output_item.done", output_index=0, item=message)
        await self.stream(delegation_id, "response.completed", response=snapshot(rid, "completed"))
        await self.send("session.output_transcript.delta", delta=text, start_ms=2000, end_ms=3000)

    async def drop(self) -> None:
        """The connection breaks (a close the session reconnects after)."""
        assert self._ws is not None
        await self._ws.close(code=1011, reason="dropped")

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e["type"] == kind]

    async def expect(self, kind: str, count: int = 1, *, within: float = 5) -> list[dict[str, Any]]:
        """Wait until ``count`` client frames of ``kind`` have arrived."""
        with anyio.fail_after(within):
            while len(self.of(kind)) < count:
                await self._arrived.wait()
        return self.of(kind)

    async def connected(self) -> None:
        with anyio.fail_after(5):
            await self._connected.wait()


@contextlib.asynccontextmanager
async def live_server() -> AsyncIterator[LiveServer]:
    server = LiveServer()
    async with serve(server._handle, "127.0.0.1", 0) as ws_server:
        port = next(iter(ws_server.sockets)).getsockname()[1]
        server.url = f"ws://127.0.0.1:{port}/v1/live/sessions"
        yield server


@rtagents.tool
async def lookup(x: str) -> str:
    """Look up."""
    return f"found {x}"


@contextlib.asynccontextmanager
async def live_session(
    agent: rtagents.Agent, reconnect: Reconnect | None = None
) -> AsyncIterator[tuple[LiveServer, rtagents.RealtimeSession[Any]]]:
    """The scripted server and a GPT-Live session of ``agent`` on it, started, whose events
    a task of its own reads (and lets go) until the block ends."""
    async with live_server() as server:
        async with rtagents.connect(
            agent, url=server.url, api="live", reconnect=reconnect
        ) as session:
            async with anyio.create_task_group() as tg:
                tg.start_soon(_read_all, session)
                await server.expect("session.start")
                yield server, session
                tg.cancel_scope.cancel()


async def _read_all(session: rtagents.RealtimeSession[Any]) -> None:
    async for _ in session:
        pass

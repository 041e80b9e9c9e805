"""The emulator's one port, as an ASGI app (Starlette, served by uvicorn): the Realtime
websocket, GPT-Live's primary websocket, and beside them the HTTP routes the real API has
around them.

Both are in the tree already (``mcp`` depends on them), so the emulator adds no dependency.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp
from starlette.websockets import WebSocket, WebSocketDisconnect

from .auth import LIVE_PATHS, WRONG_KEY, ClientSecrets, KeyGate, presented_key
from .config import start_with
from .errors import ClientEventError

if TYPE_CHECKING:
    from .calls import CallDesk
    from .connection import Connection, EmulatorConnection
    from .live import LiveCore

PATHS = ("/v1/realtime", "/realtime")
"""GPT-Live's primary websocket (the openai SDK's ``client.live.connect()``)."""


log = logging.getLogger("rtagents.emulator")


class Host(Protocol):
    """What the port serves (the ``Emulator``): its connections, keys and calls."""

    api_key: str | None
    client_secrets: ClientSecrets
    desk: CallDesk
    connections: list[EmulatorConnection | Connection[LiveCore]]

    def open_connection(
        self, model_name: str, call_id: str | None = None, intent: str | None = None
    ) -> EmulatorConnection: ...

    def open_live_connection(self, session_id: str | None = None) -> Connection[LiveCore]: ...

    def can_resume(self, session_id: str) -> bool: ...

    def connection_closed(self, conn: EmulatorConnection | Connection[LiveCore]) -> None: ...


def build_app(emu: Host, extra: list[BaseRoute] | None = None) -> ASGIApp:
    """The routes, behind the one key check every request passes (``auth.KeyGate``)."""

    async def realtime(ws: WebSocket) -> None:
        offered = list(ws.scope.get("subprotocols") or [])
        # Browser-style clients (and the Node SDK) offer the "realtime" subprotocol and fail
        # unless the server echoes it, as the real one does. The others carry a key or a flag.
        query = ws.query_params
        call_id = query.get("call_id")
        if call_id is not None and not emu.desk.can_attach(call_id):
            detail = {"message": f"Call '{call_id}' not found or not accepted.", "code": None}
            await ws.send_denial_response(JSONResponse({"error": detail}, status_code=404))
            return
        # A browser's client secret opens the session it was minted for, as on the API; one
        # expired or never minted is refused, with or without ``api_key`` (as over WebRTC).
        key = presented_key(ws.headers, offered)
        minted = emu.client_secrets.session(key) if key and key.startswith("ek_") else None
        if key and key.startswith("ek_") and minted is None:
            await ws.send_denial_response(JSONResponse(WRONG_KEY, status_code=401))
            return
        await ws.accept(subprotocol="realtime" if "realtime" in offered else None)
        join = getattr(emu.desk.calls.get(call_id or ""), "join", None)
        if join is not None:  # a WebRTC call's session is served already: the sideband joins
            await join(_frames(ws), ws.send_text, _ender(ws))
            return
        model, intent = query.get("model") or "gpt-realtime", query.get("intent")
        if minted and minted.get("type") == "transcription":  # (a transcription secret's)
            intent = "transcription"
        # (``intent`` only when asked for: an emulator's subclass may not take it)
        opened = {"intent": intent} if intent else {}
        conn = emu.open_connection(str((minted or {}).get("model") or model), call_id, **opened)
        if minted and call_id is None:
            try:  # (checked when minted: one that is refused now starts as any session)
                start_with(conn.core, minted)
            except ClientEventError as err:
                log.warning("a client secret's session was refused: %s", err.message)
        await conn.serve(_frames(ws), ws.send_text, _ender(ws))
        emu.connection_closed(conn)

    async def live(ws: WebSocket) -> None:
        # The model is in session.start, never in the URL; the server speaks first only
        # once the session has started.
        await ws.accept()
        conn = emu.open_live_connection()
        await conn.serve(_frames(ws), ws.send_text, _ender(ws))
        emu.connection_closed(conn)

    async def attach(ws: WebSocket) -> None:
        # A sideband of a SIP call's session (accepted), or of a session whose primary
        # connection dropped (kept a while): it sends no session.start.
        session_id = ws.path_params["session_id"]
        await _closed(emu.connections, session_id)
        if not (emu.can_resume(session_id) or emu.desk.can_attach(session_id, "live")):
            message = f"Session '{session_id}' not found or not accepted."
            detail = {"message": message, "type": "invalid_request_error", "code": None}
            await ws.send_denial_response(JSONResponse({"error": detail}, status_code=404))
            return
        join = getattr(emu.desk.calls.get(session_id), "join", None)
        # The kept session is this attach's from now (before any await): another attach
        # meanwhile finds it gone, and is refused, never served a blank session.
        conn = None if join is not None else emu.open_live_connection(session_id)
        try:
            await ws.accept()
        except BaseException:
            if conn is not None:  # (the client left: the session is kept for another)
                emu.connection_closed(conn)
            raise
        if join is not None:  # a WebRTC session is served already: the sideband joins it
            await join(_frames(ws), ws.send_text, _ender(ws))
            return
        assert conn is not None
        await conn.serve(_frames(ws), ws.send_text, _ender(ws))
        emu.connection_closed(conn)

    async def nowhere(ws: WebSocket) -> None:
        await ws.send_denial_response(_not_found())

    async def not_found(request: Request, exc: Exception) -> Response:
        return _not_found()

    routes: list[BaseRoute] = [WebSocketRoute(path, realtime) for path in PATHS]
    routes += [WebSocketRoute(path, live) for path in LIVE_PATHS]
    routes += [WebSocketRoute(path + "/{session_id}/attach", attach) for path in LIVE_PATHS]
    routes += extra or []
    routes.append(WebSocketRoute("/{path:path}", nowhere))
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    return KeyGate(app, lambda: emu.api_key, emu.client_secrets)


def _not_found() -> Response:
    return PlainTextResponse(f"Not found: use {PATHS[0]}?model=...\n", status_code=404)


async def _frames(ws: WebSocket) -> AsyncIterator[str | bytes]:
    while True:
        try:
            message = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return
        if message["type"] == "websocket.disconnect":
            return
        frame = message.get("text")
        yield frame if frame is not None else message.get("bytes") or b""


async def _closed(
    connections: list[EmulatorConnection | Connection[LiveCore]], session_id: str
) -> None:
    """Wait, a moment at most, for the connection of ``session_id`` the server is dropping
    to close: its client hears the close frame as it goes, and may be back before the
    connection is done with (then kept for it to attach to, as the API keeps it)."""
    for conn in list(connections):
        if conn.ending and not conn.closed.is_set() and conn.session.get("id") == session_id:
            with anyio.move_on_after(_CLOSING_S):
                await conn.closed.wait()


_CLOSING_S = 2.0


def _ender(ws: WebSocket) -> Callable[[int, str, bool], Awaitable[None]]:
    async def end(code: int, reason: str, reset: bool) -> None:
        if reset:  # no close frame: the connection just dies, as after a network fault
            transport = _transport(ws)
            if transport is not None:
                sock = transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                transport.abort()
                return
        await ws.close(code=code if not reset else 1006, reason=reason)

    return end


def _transport(ws: WebSocket) -> Any:
    # A TCP reset needs the socket under the ASGI server; uvicorn's websocket protocols
    # keep it as ``transport`` on the object whose method ``send`` is.
    owner = getattr(getattr(ws, "_send", None), "__self__", None)
    return getattr(owner, "transport", None)

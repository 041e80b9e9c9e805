"""The emulator's websocket server."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import struct
import time
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .connection import EmulatorConnection
from .core import ServerCore
from .faults import Fault
from .in_process import InProcessTransport, memory_pipe
from .mcp_clients import HostedMCPClients
from .models import Model, RuleModel
from .settings import ServerSettings, Transcriber, TranscriptOrder
from .tls import self_signed, server_context

log = logging.getLogger("rtagents.emulator")
PATHS = ("/v1/realtime", "/realtime")


class Emulator:
    """A local Realtime server speaking the GA protocol, for demos, examples and tests.

    ``async with Emulator(model=ScriptedModel([...])) as emu:`` starts it on a free port
    of 127.0.0.1; ``emu.url`` is its websocket URL (``ws://127.0.0.1:PORT/v1/realtime``)
    and ``emu.base_url`` the shape the openai SDK takes as ``websocket_base_url``.
    Any ``Authorization`` header is accepted and its key ignored.

    Args:
        model: What answers: a ``ScriptedModel`` for tests, a ``RuleModel``
            (the default) for demos, or any object with ``respond(ctx)``.
        host: The interface to listen on.
        port: The port (0 picks a free one).
        realtime: Pace audio output at real time instead of as fast as possible.
        audio_chunk_ms: Milliseconds of audio per ``response.output_audio.delta``.
        transcribe: Turns committed input audio into a transcript when the session
            asks for transcription (default: ``"[N ms of audio]"``).
        record: Frames each connection keeps each way for tests to read (``received``,
            ``sent``); the oldest go first, and appended audio is kept as its size only.
        keep_closed: Closed connections kept in ``connections`` (``emu.last`` among them).
        api_key: When given, a connection must present it (``Authorization: Bearer ...``,
            or the browser-style ``openai-insecure-api-key.`` subprotocol) and is refused
            with HTTP 401 as the real server refuses a wrong key. By default any key is
            accepted and ignored.
        webrtc: Answer as the server does for WebRTC and SIP sessions (where
            ``output_audio_buffer.clear`` is allowed); by default, as for a websocket.
        faults: Faults every connection gets (``rtagents.emulator.faults``): drops,
            an expiring session, error replies, latency.
        max_session_s: The session's time cap: ``session.created`` says when it ends
            (``expires_at``), and then it ends with a ``session_expired`` error, as the
            real server's does after 60 minutes.
        transcript_order: Whether an input transcript comes ``"before"`` or ``"after"``
            the ``response.created`` of the response its turn starts. The real server's
            order varies; ``"random"`` (the default) draws it per turn from ``seed``.
        seed: Seeds what the emulator draws (transcript order), so a run repeats.
        tls: Listen with TLS (``wss://``), for clients that insist on it: ``True`` makes a
            self-signed certificate (``emu.certificate`` is its PEM file, for the client
            to trust; needs ``rtagents[tls]``), or give ``(cert_file, key_file)``.
        mcp_hosts: The hosts (globs) whose hosted MCP ``server_url`` the emulator may fetch.
            By default any host when it listens on loopback, and none otherwise, so that a
            shared dev server cannot be made to fetch arbitrary URLs.
    """

    def __init__(
        self,
        model: Model | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        realtime: bool = False,
        audio_chunk_ms: int = 40,
        transcribe: Transcriber | None = None,
        record: int = 10_000,
        keep_closed: int = 16,
        api_key: str | None = None,
        webrtc: bool = False,
        faults: Sequence[Fault] = (),
        max_session_s: float = 3600.0,
        mcp_hosts: Sequence[str] | None = None,
        transcript_order: TranscriptOrder = "random",
        seed: int = 0,
        tls: bool | tuple[str | Path, str | Path] = False,
    ) -> None:
        self.model: Model = model if model is not None else RuleModel()
        self.host = host
        self.port = port
        if record < 0 or keep_closed < 1:
            raise ValueError("record must be >= 0 and keep_closed >= 1")
        self.settings = ServerSettings(
            realtime=realtime,
            audio_chunk_ms=audio_chunk_ms,
            transcribe=transcribe,
            webrtc=webrtc,
            faults=tuple(faults),
            max_session_s=max_session_s,
            transcript_order=transcript_order,
            seed=seed,
        )
        self._record = record
        self.certificate: Path | None = None
        """The PEM certificate clients must trust, when listening with TLS."""
        self._ssl: ssl.SSLContext | None = None
        if tls:
            cert, key = tls if isinstance(tls, tuple) else self_signed(host)
            self.certificate = Path(cert)
            self._ssl = server_context(cert, key)
        self.connections: list[EmulatorConnection] = []
        """Open connections, then the latest ``keep_closed`` closed ones (oldest first)."""
        self._keep_closed = keep_closed
        self._api_key = api_key
        self._mcp_hosts = list(mcp_hosts) if mcp_hosts is not None else None
        self._closed: set[EmulatorConnection] = set()
        self._server: Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # in-process connections

    @property
    def url(self) -> str:
        return f"{self._scheme}://{self.host}:{self.port}/v1/realtime"

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://{self.host}:{self.port}/v1"

    @property
    def _scheme(self) -> str:
        return "wss" if self._ssl is not None else "ws"

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._check_request,
            compression=None,
            max_size=16 * 2**20,
            # Browser-style clients (and the Node SDK) offer the "realtime" subprotocol and
            # fail unless the server echoes it, as the real one does.
            subprotocols=[Subprotocol("realtime")],
            select_subprotocol=_select_subprotocol,
            ssl=self._ssl,
        )
        self.port = self._server.sockets[0].getsockname()[1] if self.port == 0 else self.port
        log.info("emulator listening on %s", self.url)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path.rstrip("/")
        if path not in PATHS:
            return connection.respond(404, f"Not found: use {PATHS[0]}?model=...\n")
        if self._api_key is not None and _presented_key(request) != self._api_key:
            response = connection.respond(401, json.dumps(_WRONG_KEY) + "\n")
            response.headers["Content-Type"] = "application/json"
            return response
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path if ws.request else "").query)
        conn = self._connection(query.get("model", ["gpt-realtime"])[0])

        async def end(code: int, reason: str, reset: bool) -> None:
            if reset:  # no close frame: the connection just dies, as after a network fault
                sock = ws.transport.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                ws.transport.abort()
            else:
                await ws.close(code=code, reason=reason)

        await conn.serve(ws, ws.send, end)
        self._forget(conn)

    def _connection(self, model_name: str) -> EmulatorConnection:
        core = ServerCore(self.settings, model_name=model_name, created_at_s=time.time())
        clients = HostedMCPClients(self._allowed_mcp_host)
        conn = EmulatorConnection(core, self.model, clients, record=self._record)
        self.connections.append(conn)
        return conn

    def _allowed_mcp_host(self, host: str) -> bool:
        if self._mcp_hosts is None:
            return _is_loopback(self.host)
        return any(fnmatchcase(host, pattern) for pattern in self._mcp_hosts)

    def _forget(self, conn: EmulatorConnection) -> None:
        """A closed connection is kept for tests to read, but only the latest few."""
        self._closed.add(conn)
        closed = [c for c in self.connections if c in self._closed]
        for old in closed[: max(0, len(closed) - self._keep_closed)]:
            self.connections.remove(old)
            self._closed.discard(old)

    def transport(self, model: str = "gpt-realtime") -> InProcessTransport:
        """A connection with no socket: ``connect(agent, transport=emu.transport())``.

        The session talks to the same server logic as over the websocket, in this event
        loop. ``emu.last.drop()`` ends it as a crashing server would (code 1011)."""
        client, frames_in, frames_out, closing = memory_pipe()

        async def end(code: int, reason: str, reset: bool) -> None:
            if reset:
                closing.reason = "the connection dropped without a close frame"
            else:
                closing.reason = f"the server closed the connection (code {code}: {reason})"
            closing.error = reset or code not in (1000, 1001)
            await frames_out.aclose()

        conn = self._connection(model)

        async def serve() -> None:
            async with frames_out:
                await conn.serve(frames_in, frames_out.send, end)
            self._forget(conn)

        task = asyncio.get_running_loop().create_task(serve())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return client

    @property
    def last(self) -> EmulatorConnection:
        """The most recent connection (handy in tests)."""
        return self.connections[-1]


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


_WRONG_KEY = {
    "error": {
        "message": "Incorrect API key provided. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "code": "invalid_api_key",
        "param": None,
    }
}
_KEY_PROTOCOL = "openai-insecure-api-key."


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    for offered in request.headers.get_all("Sec-WebSocket-Protocol"):
        for protocol in offered.split(","):
            if protocol.strip().startswith(_KEY_PROTOCOL):
                return protocol.strip()[len(_KEY_PROTOCOL) :]
    return None


def _select_subprotocol(
    connection: ServerConnection, offered: Sequence[Subprotocol]
) -> Subprotocol | None:
    # Only "realtime" is echoed; the others a client offers carry a key or a beta flag.
    return Subprotocol("realtime") if "realtime" in offered else None

"""The emulator's websocket server."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import uvicorn

from .._asgi import QuietServer, bind, netloc, start, stop
from .._redact import register_secret
from ..session.transport import dropped
from .auth import ClientSecrets
from .calls import CallDesk
from .config import start_with
from .connection import Connection, EmulatorConnection
from .core import ServerCore
from .faults import Fault
from .http_app import build_app
from .in_process import InProcessTransport, memory_pipe
from .live import LiveCore
from .live.kept import KeptSessions
from .mcp_clients import HOSTED_MCP_TIMEOUT_S, HostedMCPClients
from .models import Model, stand_in
from .reach import reachable
from .rule_model import RuleModel
from .settings import ServerSettings, Transcriber, TranscriptOrder
from .tls import removed, self_signed, server_context
from .voice import VoiceChoice, choose
from .webrtc import WebRTCCalls, with_cors

log = logging.getLogger("rtagents.emulator")


class Emulator:
    """A local Realtime server speaking the GA protocol, for demos, examples and tests; on
    the same port, a GPT-Live server (``emu.live_url``).

    ``async with Emulator(model=ScriptedModel([...])) as emu:`` starts it on a free port
    of 127.0.0.1; ``emu.url`` is its websocket URL (``ws://127.0.0.1:PORT/v1/realtime``)
    and ``emu.base_url`` the shape the openai SDK takes as ``websocket_base_url``.
    Without ``api_key``, any ``Authorization`` header is accepted and its key ignored.

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
        keep_closed: Closed connections kept in ``connections`` (``emu.last`` among them),
            and ended calls kept in ``desk.calls`` (each with its sidebands).
        api_key: When given, every request on the port must present it (``Authorization:
            Bearer ...``, or for the websocket the browser-style ``openai-insecure-api-key.``
            subprotocol), or a live client secret (``ek_...``) to open a Realtime session;
            the rest is refused with HTTP 401, as the real API refuses a wrong key. This
            covers the REST routes and the simulated phone too. By default any key is
            accepted and ignored.
        webrtc: Answer as the server does for WebRTC and SIP sessions (where
            ``output_audio_buffer.clear`` is allowed); by default, as for a websocket.
            (Browsers' WebRTC calls, ``POST /v1/realtime/calls`` with an SDP offer, are
            answered either way, with ``rtagents[webrtc]`` installed.)
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
        mcp_timeout_s: Seconds a hosted MCP server has to connect and list its tools, or to
            answer a call (30 by default); past it the listing fails
            (``mcp_list_tools.failed``), or the call (``response.mcp_call.failed``, an
            ``http_error`` 504), and the response goes on, as the real API gives up on a
            server that does not answer.
        webhook_hosts: The hosts (globs) a call placed over HTTP (``POST
            /v1/emulator/calls``) may post its webhook to, by the same rule (``place_call``,
            the process's own, may post anywhere).
        live_resume_s: Seconds a GPT-Live session outlives a primary connection that dropped
            without ``session.close``: a client attaching to it by id
            (``/v1/live/sessions/{id}/attach``) gets the session back as it was.
        voice: What speaks the model's words: ``"auto"`` (the default) is espeak-ng when
            it is on ``PATH`` and the tone voice (a tone per character) otherwise;
            ``"espeak"`` insists (``ValueError`` without it), ``"tones"`` gives audio whose
            length is known, and a callable ``text -> bytes`` (PCM16 at 24 kHz) is a voice
            of your own. ``emu.voice`` says which speaks.
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
        mcp_timeout_s: float = HOSTED_MCP_TIMEOUT_S,
        webhook_hosts: Sequence[str] | None = None,
        transcript_order: TranscriptOrder = "random",
        seed: int = 0,
        tls: bool | tuple[str | Path, str | Path] = False,
        live_resume_s: float = 60.0,
        voice: VoiceChoice = "auto",
    ) -> None:
        self.model: Model = RuleModel() if model is None else stand_in(model)
        self.host = host
        self.port = port
        if record < 0 or keep_closed < 1 or mcp_timeout_s <= 0:
            raise ValueError("record must be >= 0, keep_closed >= 1 and mcp_timeout_s > 0")
        self.settings = ServerSettings(
            realtime=realtime,
            audio_chunk_ms=audio_chunk_ms,
            transcribe=transcribe,
            webrtc=webrtc,
            faults=tuple(faults),
            max_session_s=max_session_s,
            transcript_order=transcript_order,
            seed=seed,
            voice=choose(voice),
        )
        self._record = record
        self.certificate: Path | None = None
        """The PEM certificate clients must trust, when listening with TLS."""
        self._tls: tuple[Path, Path] | None = None
        self._self_signed = tls is True  # made for it: removed when it stops (a private key)
        if tls:
            cert, key = tls if isinstance(tls, tuple) else self_signed(host, self)
            self.certificate = Path(cert)
            server_context(cert, key)  # a bad pair fails here, not at the first client
            self._tls = (Path(cert), Path(key))
        self.connections: list[EmulatorConnection | Connection[LiveCore]] = []
        """Open connections, then the latest ``keep_closed`` closed ones (oldest first):
        Realtime ones (``EmulatorConnection``) and GPT-Live ones (``Connection[LiveCore]``)."""
        self._keep_closed = keep_closed
        self.api_key = api_key
        """The key clients must present (``None``: any)."""
        register_secret(api_key)  # never logged, as a real key is not
        self.client_secrets = ClientSecrets()
        """The ephemeral keys ``POST /v1/realtime/client_secrets`` minted."""
        self._mcp_hosts = list(mcp_hosts) if mcp_hosts is not None else None
        self._mcp_timeout_s = mcp_timeout_s
        self._webhook_hosts = list(webhook_hosts) if webhook_hosts is not None else None
        self._closed: set[EmulatorConnection | Connection[LiveCore]] = set()
        self._server: QuietServer | None = None
        self._serving: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # in-process connections; sessions' requests
        self._dropped_live = KeptSessions(live_resume_s)
        self.desk = CallDesk(self.client_secrets, self._allowed_webhook_host, keep_closed)
        """Simulated phone calls (``place_call``, ``desk.calls``), and WebRTC calls."""
        self._webrtc = WebRTCCalls(self)

    @property
    def voice(self) -> str:
        """The voice the model speaks with: ``"espeak"``, ``"tones"`` or ``"custom"``."""
        return self.settings.voice.name

    @property
    def url(self) -> str:
        return f"{self._scheme}://{self._netloc}/v1/realtime"

    @property
    def live_url(self) -> str:
        """GPT-Live's primary websocket (``ws://HOST:PORT/v1/live/sessions``); the openai
        SDK's ``client.live.connect()`` finds it from ``http_url`` as its ``base_url``."""
        return f"{self._scheme}://{self._netloc}/v1/live/sessions"

    @property
    def base_url(self) -> str:
        return f"{self._scheme}://{self._netloc}/v1"

    @property
    def _netloc(self) -> str:  # (before it listens, no URL any client could reach)
        if self.port == 0:
            raise RuntimeError("the emulator is not started: read its URLs in `async with`")
        return netloc(self.host, self.port)

    @property
    def _scheme(self) -> str:
        return "wss" if self._tls is not None else "ws"

    async def start(self) -> None:
        if self._self_signed and self._tls is not None and not self._tls[1].exists():
            self._tls = self_signed(self.host, self)  # (stopped before: started again)
            self.certificate = self._tls[0]
        app = with_cors(build_app(self, self._routes()))
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_config=None,  # the app's logging stays the app's
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="websockets-sansio",
            ws_max_size=16 * 2**20,
            ws_per_message_deflate=False,  # audio frames do not compress
            ws_ping_interval=None,
            timeout_graceful_shutdown=1,
            ssl_certfile=str(self.certificate) if self._tls else None,
            ssl_keyfile=str(self._tls[1]) if self._tls else None,
        )
        # Bound here, so that a port in use is an OSError to the caller (uvicorn would exit).
        sock = bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._server, self._serving = await start(config, sock)
        log.info("emulator listening on %s", self.url)

    def _routes(self) -> list[Any]:
        return [*self._webrtc.routes(), *self.desk.routes()]

    def place_call(
        self,
        webhook_url: str,
        webhook_secret: str,
        *,
        caller: str = "+15550100",
        callee: str = "+15550199",
        say: Sequence[str] = (),
        api: Literal["realtime", "live"] = "realtime",
        caller_waits_s: float | None = None,
    ) -> str:
        """Place a simulated phone call (as ``POST /v1/emulator/calls``); its call id. The
        emulator posts a signed ``realtime.call.incoming`` webhook to ``webhook_url``; with
        ``api="live"``, a ``live.transport.incoming`` one for a ``live_...`` session. The
        caller speaks once the sideband configured the session (``session.update``), or,
        with ``caller_waits_s``, that long after it attached if it did not."""
        desk, said = self.desk, list(say)
        return desk.place(
            webhook_url, webhook_secret, caller, callee, said, api, caller_waits_s
        ).call_id

    @property
    def http_url(self) -> str:
        """The REST base URL, as the openai SDK takes it (``base_url``)."""
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{self._netloc}/v1"

    async def stop(self) -> None:
        await self._webrtc.aclose()
        await self.desk.aclose()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None and self._serving is not None:
            await stop(self._server, self._serving)
        self._server = self._serving = None

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
        if self._self_signed and self._tls is not None:  # (stop alone keeps it: a restart)
            removed(self._tls[0])  # the self-signed key goes with the block

    async def serve_forever(self) -> None:
        await self.start()
        assert self._serving is not None
        await self._serving

    def open_connection(
        self, model_name: str, call_id: str | None = None, intent: str | None = None
    ) -> EmulatorConnection:
        """A new connection's server side (the shell serves it); ``intent="transcription"``
        opens a transcription session."""
        now = time.time()
        core = ServerCore(self.settings, model_name=model_name, created_at_s=now, intent=intent)
        clients = HostedMCPClients(self._allowed_mcp_host, self._mcp_timeout_s)
        conn = EmulatorConnection(core, self.model, clients, record=self._record, tasks=self._tasks)
        if call_id is not None:
            self.desk.attach(call_id, conn)
        self.connections.append(conn)
        return conn

    def open_webrtc_connection(
        self, model_name: str, session: dict[str, Any]
    ) -> EmulatorConnection:
        """A WebRTC call's connection (``rtagents[webrtc]``), configured with ``session``
        as a SIP call's accept configures it; a bad config is a ``ClientEventError``."""
        settings = dataclasses.replace(self.settings, webrtc=True)
        core = ServerCore(settings, model_name=model_name, created_at_s=time.time())
        start_with(core, session)
        clients = HostedMCPClients(self._allowed_mcp_host, self._mcp_timeout_s)
        return EmulatorConnection(core, self.model, clients, record=self._record, tasks=self._tasks)

    def open_live_webrtc_connection(self) -> Connection[LiveCore]:
        """A GPT-Live WebRTC session's connection; its ``session.start`` is the POST's."""
        settings = dataclasses.replace(self.settings, webrtc=True)
        core = LiveCore(settings, created_at_s=time.time())
        clients = HostedMCPClients(self._allowed_mcp_host, self._mcp_timeout_s)
        return Connection(core, self.model, clients, record=self._record, tasks=self._tasks)

    def open_live_connection(self, session_id: str | None = None) -> Connection[LiveCore]:
        """A new GPT-Live connection's server side (the shell serves it); with
        ``session_id``, one that attaches to a session whose connection dropped (kept
        ``live_resume_s``: its work goes on, on this one), or a SIP call's sideband."""
        core = self._dropped_live.take(session_id) if session_id is not None else None
        if core is not None:
            core.reattach(time.time())
        clients = HostedMCPClients(self._allowed_mcp_host, self._mcp_timeout_s)
        core = core or LiveCore(self.settings, created_at_s=time.time())
        conn = Connection(core, self.model, clients, record=self._record, tasks=self._tasks)
        if session_id is not None and self.desk.can_attach(session_id, "live"):
            self.desk.attach(session_id, conn)  # (the call's session, or a new one of it)
        self.connections.append(conn)
        return conn

    def _allowed_mcp_host(self, host: str) -> bool:
        return reachable(self.host, host, self._mcp_hosts)

    def _allowed_webhook_host(self, host: str) -> bool:
        return reachable(self.host, host, self._webhook_hosts)

    def can_resume(self, session_id: str) -> bool:
        """Whether ``session_id`` is a Live session whose primary connection dropped less
        than ``live_resume_s`` ago (and no connection has attached to it since)."""
        return self._dropped_live.can_attach(session_id)

    def connection_closed(self, conn: EmulatorConnection | Connection[LiveCore]) -> None:
        """A closed connection is kept for tests to read, but only the latest few. A Live
        session that did not end with it is kept ``live_resume_s`` for a client to attach."""
        if isinstance(conn.core, LiveCore):
            self._dropped_live.keep(conn.core)
        self._closed.add(conn)
        closed = [c for c in self.connections if c in self._closed]
        for old in closed[: max(0, len(closed) - self._keep_closed)]:
            self.connections.remove(old)
            self._closed.discard(old)

    def transport(self, model: str = "gpt-realtime") -> InProcessTransport:
        """A connection with no socket: ``connect(agent, transport=emu.transport())``.

        The session talks to the same server logic as over the websocket, in this event
        loop. ``emu.last.drop()`` ends it as a crashing server would (code 1011)."""
        return self._in_process(self.open_connection(model))

    def live_transport(self) -> InProcessTransport:
        """A GPT-Live connection with no socket, as ``transport()`` is a Realtime one: the
        client sends ``session.start`` first, as on ``live_url``."""
        return self._in_process(self.open_live_connection())

    def _in_process(self, conn: EmulatorConnection | Connection[LiveCore]) -> InProcessTransport:
        client, frames_in, frames_out, closing = memory_pipe()

        async def end(code: int, reason: str, reset: bool) -> None:
            if reset:
                closing.reason = "the connection dropped without a close frame"
            else:
                closing.reason = f"the server closed the connection (code {code}: {reason})"
            closing.error = reset or dropped(code)
            await frames_out.aclose()

        async def serve() -> None:
            # (the client's frames too: ours to close when the serving is over)
            async with frames_in, frames_out:
                await conn.serve(frames_in, frames_out.send, end)
            self.connection_closed(conn)

        task = asyncio.get_running_loop().create_task(serve())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return client

    @property
    def last(self) -> EmulatorConnection | Connection[LiveCore]:
        """The most recent connection, Realtime or GPT-Live (handy in tests)."""
        return self.connections[-1]

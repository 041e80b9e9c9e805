"""Transports carry frames between the session and a Realtime server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.datastructures import Headers
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
    SecurityError,
    WebSocketException,
)
from websockets.protocol import State
from websockets.uri import parse_uri

from .._hosts import loopback
from .._redact import redact, redact_url, server_said
from ..errors import ConnectError, RtagentsError
from .websocket import DIRECT_PATH, DirectConnection

_NO_HEADERS = Headers()  # a connected response's headers, once the handshake is done: one, shared


class TransportClosed(RtagentsError):
    """The connection ended; ``reason`` says how."""

    def __init__(self, reason: str, *, error: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


def dropped(code: int | None) -> bool:
    """Whether a connection the server closed with ``code`` (``None``: no close frame) was
    dropped, not ended: only a normal close (1000) ends a session. A server "going away"
    (1001: it restarts, or drains its connections) is a drop the session reconnects after."""
    return code != 1000


class _Connect(connect):
    """websockets' ``connect``, following a redirect only within the URL's origin: to
    another, the session's credentials (an ``api-key`` header, any header given) would go
    with it (websockets keeps all but ``Authorization`` and cookies), and the API never
    redirects."""

    def process_redirect(self, exc: Exception) -> Exception | str:
        where = super().process_redirect(exc)
        if isinstance(where, str):
            was, new = parse_uri(self.uri), parse_uri(where)  # (``uri``: websockets 16 and 17)
            if (was.secure, was.host, was.port) != (new.secure, new.host, new.port):
                shown = redact_url(where, path=False)
                return SecurityError(f"redirected to another origin, {shown}: not followed")
        return where


class HandshakeRefused(ConnectError):
    """The server answered the opening handshake with an HTTP ``status`` other than 101
    (reconnecting gives up at once on 401, 403 and 404, which will not change)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@runtime_checkable
class Transport(Protocol):
    """What a session needs from a connection: text frames both ways, and close."""

    def send_wont_block(self, frame: str) -> bool:
        """Whether sending ``frame`` now returns without waiting for the peer to read (a
        send that may wait is timed; ``True`` for a transport that never waits)."""
        ...

    async def send(self, frame: str) -> None: ...

    async def recv(self) -> str | bytes:
        """The next frame; raises ``TransportClosed`` when the connection is gone."""
        ...

    async def close(self) -> None: ...

    # Optional: ``buffered() -> bool``, whether a frame has arrived that ``recv`` would return
    # without waiting. A session reads such frames and answers them before it tells the app
    # of them (see ``runner``); a transport without it has each frame told on its own.


def more_at_hand(transport: Transport) -> bool:
    """Whether a frame has arrived already (the transport's optional ``buffered()``). Asked
    through this function: a local holding the bound method would be kept, one more object
    for the collector, by every session while it waits for its next frame."""
    buffered = getattr(transport, "buffered", None)
    return buffered is not None and bool(buffered())


class WebsocketTransport:
    """A websocket to the Realtime API or the emulator (``websockets``, compression off).

    Header values (the API key among them) are never shown in its repr or errors.
    """

    def __init__(self, ws: ClientConnection, url: str) -> None:
        self._ws = ws
        self.url = url

    @classmethod
    async def open(
        cls,
        url: str,
        headers: Mapping[str, str],
        *,
        max_message_size: int | None = 16 * 2**20,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        open_timeout: float = 10.0,
    ) -> WebsocketTransport:
        try:
            ws = await _Connect(
                url,
                additional_headers=dict(headers),
                compression=None,  # audio frames do not compress; deflate only costs CPU
                max_size=max_message_size,
                ping_interval=ping_interval,
                ping_timeout=ping_timeout,
                open_timeout=open_timeout,
                user_agent_header="rtagents",
                create_connection=DirectConnection if DIRECT_PATH else ClientConnection,
                # (a proxy the environment names cannot reach this machine's own server)
                proxy=None if loopback(urlsplit(url).hostname or "") else True,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            said = server_said(exc.response.body or b"")
            hint = f": {said}" if said else " (check the API key)" if status in (401, 403) else ""
            raise HandshakeRefused(
                f"the server at {redact_url(url)} refused the connection: HTTP {status}{hint}",
                status=status,
            ) from None
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise ConnectError(f"cannot connect to {redact_url(url)}: {redact(str(exc))}") from None
        except UnicodeError as exc:  # the resolver's IDNA check: an empty or too long label
            raise ConnectError(f"cannot connect to {redact_url(url)}: {exc}") from None
        except ImportError as exc:  # a SOCKS proxy named by the environment, without its extra
            raise ConnectError(
                f"cannot connect to {redact_url(url)}: {exc} (the environment's "
                "HTTP_PROXY, HTTPS_PROXY or ALL_PROXY names a SOCKS proxy)"
            ) from None
        except InvalidURI:  # its message repeats the URL, a token or a password with it
            raise ConnectError(f"not a websocket URL: {redact_url(url)}") from None
        except WebSocketException as exc:
            raise ConnectError(f"cannot connect to {redact_url(url)}: {redact(str(exc))}") from None
        # The handshake's headers are not kept for the connection's life (17 objects and
        # 2 KB each, in a server holding thousands): the response keeps its status, no
        # headers. It is the same response, emptied: websockets' parser keeps it too.
        ws.request = None
        if ws.response is not None:
            ws.response.headers = _NO_HEADERS
        return cls(ws, url)

    def send_wont_block(self, frame: str) -> bool:
        """Whether sending ``frame`` returns at once: the socket's buffer stays below its
        high-water mark even with it (counted at 4 bytes a character, the most UTF-8 takes),
        so websockets writes without waiting for the peer to read."""
        ws = self._ws
        if ws.paused:
            return False
        buffered = ws.transport.get_write_buffer_size()
        return bool(buffered + 4 * len(frame) + 16 <= ws.write_limit_high)

    async def send(self, frame: str) -> None:
        ws = self._ws
        try:
            if not (isinstance(ws, DirectConnection) and ws.send_text_now(frame)):
                await ws.send(frame)
        except ConnectionClosed as exc:
            raise _closed(exc) from None

    def buffered(self) -> bool:
        """Whether a frame is already here, so that ``recv`` returns without waiting (known
        on the direct path; websockets' own path says no)."""
        ws = self._ws
        return isinstance(ws, DirectConnection) and ws.buffered()

    async def recv(self) -> str | bytes:
        ws = self._ws
        try:
            if isinstance(ws, DirectConnection):
                return await ws.recv_text()
            return await ws.recv()
        except ConnectionClosed as exc:
            raise _closed(exc) from None

    async def close(self) -> None:
        ws = self._ws
        try:
            await ws.close()
        finally:
            if ws.protocol.state is not State.CLOSED:
                # The closing handshake was cut short (a server that stopped reading, the
                # session's wait for it over): the socket goes now, its unsent buffer with
                # it, not when websockets' keepalive finds it dead, or never without one;
                # and once it is lost (the loop's next pass), its cycles are broken too.
                ws.transport.abort()
                asyncio.get_running_loop().call_soon(_unlink, ws)
            else:
                _unlink(ws)

    def __repr__(self) -> str:
        return f"<WebsocketTransport {redact_url(self.url)}>"


def _unlink(ws: ClientConnection) -> None:
    """Break the reference cycles a closed websockets connection is left in (its keepalive
    task's frame, its parser's and its logger hold the connection), so that reference
    counting frees it: otherwise only a full collection does, and after ``gc.freeze()``
    nothing does. (asyncio's closed socket transport keeps a small cycle of its own.)"""
    ws.keepalive_task = None
    ws.protocol.parser.close()
    if isinstance(ws.logger, logging.LoggerAdapter):
        ws.logger.extra = {}  # the adapter named the connection: {"websocket": ws}


def _closed(exc: ConnectionClosed) -> TransportClosed:
    """The close a send or a receive met, read by the one rule (``dropped``): a send may
    meet the server's close before the reader does."""
    return TransportClosed(
        _describe(exc), error=dropped(None if exc.rcvd is None else exc.rcvd.code)
    )


def _describe(exc: ConnectionClosed) -> str:
    frame = exc.rcvd or exc.sent
    if frame is None:
        return "the connection dropped without a close frame"
    reason = f": {redact(frame.reason)}" if frame.reason else ""  # (a server may echo a key)
    who = "the server" if exc.rcvd else "this client"
    return f"{who} closed the connection (code {frame.code}{reason})"

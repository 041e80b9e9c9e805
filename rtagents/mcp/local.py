"""Local MCP servers (stdio, streamable HTTP) whose tools this process calls for the model."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from .._seconds import check_seconds
from ..tools import Toolset
from ..tools.toolset import name_list
from .errors import MCPConnectError, MCPServerUnavailable, is_timeout, is_transport_failure, said
from .liveness import PING_TIMEOUT_S, Liveness
from .tools import NeedsApproval, every_tool, toolset_of

if TYPE_CHECKING:
    import mcp_types
    from mcp import Client

# The mcp package (its client pulls in its server, HTTP and CLI layers: about 0.4 s) is
# imported when a local server is first made or connected, not by ``import rtagents``.

log = logging.getLogger("rtagents.mcp")

IDLE_PING_S = 5.0
"""How often a local MCP server held open is pinged while idle (a dead one: see ``_hold``)."""
CLOSE_TIMEOUT_S = 2.0
"""How long closing a local MCP server waits for it (a server's goodbye, a session's end)."""
LEFT_CLOSING_S = 10.0
"""How long a server's client may go on closing it after that, in the background (the mcp
stdio client's own escalation, stdin closed, SIGTERM, SIGKILL, takes about 4 s)."""
_LEFT_CLOSING: set[asyncio.Task[None]] = set()  # held here: the loop keeps only weak refs


_GONE = ("HTTP 401", "HTTP 403", "HTTP 404")
"""An HTTP server's refusals of a call that say the connection is over: its credentials
revoked, or our MCP session forgotten (a restart). The next connect starts another."""
_AWAY = ("HTTP 502", "HTTP 503", "HTTP 504")
"""Its proxy's refusals of a call that say the server is away for now (down, deploying):
the call is unavailable, and the connection kept for the calls after, once it is back."""


class ServerListener(Protocol):
    """What a session hears from a local MCP server it uses."""

    def tools_changed(self, server: MCPServer) -> None: ...

    def server_failed(self, server: MCPServer, exc: BaseException) -> None: ...


class MCPServer(ABC):
    """A local MCP server: connected when the session starts, closed when it ends.

    Its tools join the session's tools under their own names (see ``toolset``).

    Args:
        name: The server's label (for approvals, events and renamed tools).
        allowed_tools: Only these tools are offered to the model: the server's own names
            for them, or globs (before ``tool_prefix``).
        read_only: Offer only the tools the server marks ``readOnlyHint``.
        tool_prefix: Prefix every tool name (``"fs_"`` makes ``fs_read_file``).
        needs_approval: ``"unless_read_only"`` (the default: tools not marked read-only
            ask the agent's approval policy), ``True``, ``False``, or a per-call check.
        timeout: Seconds a call may take (default: the agent's ``tool_timeout``).
    """

    changes = 0  # the changes of its tools the server has told (``tools/list_changed``)
    listed_at = 0  # how many it had told when the latest listing began

    def __init__(
        self,
        name: str,
        *,
        allowed_tools: Sequence[str] | None = None,
        read_only: bool = False,
        tool_prefix: str = "",
        needs_approval: NeedsApproval = "unless_read_only",
        timeout: float | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        check_seconds(connect_timeout, f"MCP server {name!r}: connect_timeout")
        if timeout is not None:
            check_seconds(timeout, f"MCP server {name!r}: timeout")
        if not (needs_approval == "unless_read_only" or isinstance(needs_approval, bool)) and (
            isinstance(needs_approval, str) or not callable(needs_approval)
        ):
            raise TypeError(
                f"MCP server {name!r}: needs_approval takes 'unless_read_only', True, False "
                f"or a function of the call's arguments, not {needs_approval!r}"
            )
        self.name = name
        self.connect_timeout = connect_timeout
        self.allowed_tools = (
            name_list(allowed_tools, f"MCP server {name!r}: allowed_tools")
            if allowed_tools is not None
            else None
        )
        self.read_only = read_only
        self.tool_prefix = tool_prefix
        self.needs_approval = needs_approval
        self.timeout = timeout
        self.listed: list[mcp_types.Tool] = []
        self._listeners: list[ServerListener] = []
        self._stale = False  # its tools changed while nobody listened: ``listed`` is old
        self._client: Client | None = None
        # The task that holds the client open, and what tells it to close (see ``_hold``).
        self._holder: asyncio.Task[None] | None = None
        self._stop: anyio.Event | None = None
        self._connecting: anyio.Event | None = None  # set once a connect under way is over
        self._failed: str | None = None
        self._entered = 0
        self._by_hand = False  # connect() called by the app: open until its close()
        self._liveness = Liveness(self._tell_failed, lambda: self._client)  # see call_tool

    close_timeout = CLOSE_TIMEOUT_S
    """How long ``close`` waits for the server to be gone (see ``CLOSE_TIMEOUT_S``)."""

    @abstractmethod
    def _target(self) -> Any:
        """What ``mcp.Client`` connects to."""

    def _refusal(self) -> str | None:  # how a request was last refused (an HTTP status)
        return None

    def _detach(self) -> Callable[[], Awaitable[None]] | None:
        """What closes the connection's own resources besides its client (an HTTP client),
        taken from the server as the connection closes: a connection made meanwhile (another
        session entering a shared server) keeps its own."""
        return None

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> MCPServer:
        # Counted: ``async with server:`` around ``connect()`` (which enters the agent's
        # servers too) shares one connection; one that died since is started again.
        if self._entered == 0 or self._client is None:
            await self._close_dead()
            await self._open()
        self._entered += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._entered = max(0, self._entered - 1)
        if self._entered == 0 and not self._by_hand:
            await self.close()

    @property
    def connected(self) -> bool:
        """Whether the server is connected (entered, or ``connect()`` called, and not closed)."""
        return self._client is not None

    async def connect(self) -> None:
        """Start (or reach) the server and list its tools; a no-op when connected. A connect
        under way in another task (two sessions sharing the server) is waited for. A server
        connected so stays open until ``close()``, whatever sessions use it meanwhile."""
        client = self._client
        if client is not None and not await self._answers(client):
            await self.close()  # it died since (a stdio server's crash): started again
        await self._close_dead()
        await self._open()
        self._by_hand = True

    async def _close_dead(self) -> None:
        """A connection found dead (its server went away) is closed, with its own resources
        (an HTTP client), before another is made; never one being made meanwhile."""
        if self._client is None and self._holder is not None and self._connecting is None:
            by_hand = self._by_hand
            await self.close()
            self._by_hand = by_hand

    async def _open(self) -> None:
        while self._connecting is not None:
            await self._connecting.wait()
        if self._client is not None:
            return
        self._connecting = anyio.Event()
        try:
            await self._connect()
        finally:
            self._connecting.set()
            self._connecting = None

    async def _connect(self) -> None:
        # The client's own read timeout bounds the handshake and the listing: a cancel scope
        # cannot, because the client opens task groups that outlive __aenter__.
        from mcp import Client

        client = Client(
            self._target(),
            message_handler=self._on_message,
            mode="legacy",
            read_timeout_seconds=self.connect_timeout,
        )
        # The client lives in a task of its own: its task groups and cancel scopes then wrap
        # none of the caller's code. (Entered in the caller's task, a transport that failed
        # later cancelled the app's whole ``connect()`` block, and a failed start or a
        # cancellation left that task's cancel scopes out of order.)
        ready, stop = anyio.Event(), anyio.Event()
        failed: list[BaseException] = []
        # A context of its own: a shared server never holds its first session's (its call).
        holder = contextvars.Context().run(
            asyncio.ensure_future, self._hold(client, ready, stop, failed)
        )
        self._holder, self._stop = holder, stop
        try:
            await ready.wait()
            if failed:
                raise failed[0]
            await self.refresh(client)
            self._client = client
        except BaseException as exc:
            if not ready.is_set():  # the handshake is under way: cut, not waited out
                holder.cancel()  # (its client still ends the process: stdin, SIGTERM)
            await self.close()
            if not isinstance(exc, Exception):
                raise  # a cancellation: the client is closed, nothing is left running
            if is_timeout(exc):
                raise MCPConnectError(
                    f"MCP server {self.name!r} did not answer within {self.connect_timeout:g} s "
                    "(connect_timeout)"
                ) from None
            # Its cause is named, not chained: a server's error may quote the credentials it
            # was given (its URL's token, a header), and a traceback shows a cause's message.
            refused = self._refusal()
            cause = f"{refused}: {said(exc)}" if refused else said(exc)
            raise MCPConnectError(f"MCP server {self.name!r} did not start: {cause}") from None
        self._failed = None
        self._liveness.answered()  # a new connection: a stop is reported afresh

    async def _hold(
        self, client: Client, ready: anyio.Event, stop: anyio.Event, failed: list[BaseException]
    ) -> None:
        """Hold ``client`` open until ``stop``; what ended it early is told (``_went_away``)."""
        try:
            async with client:
                ready.set()
                # A connection that closes (a stdio server that died) is quiet: pinged idle.
                while not stop.is_set():
                    with anyio.move_on_after(IDLE_PING_S):
                        await stop.wait()
                    if not stop.is_set() and not await self._answers(client):
                        return
        except BaseException as exc:
            if not ready.is_set():
                failed.append(exc)
            elif not stop.is_set():  # (an HTTP server's death comes here, not to a ping)
                self._went_away(client, exc)
            else:  # a dead server cannot be closed cleanly; it is gone anyway
                log.debug("closing MCP server %s: %r", self.name, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        finally:
            ready.set()

    async def _answers(self, client: Client) -> bool:
        """Whether ``client``'s connection is still there (a ping: a timeout or an error
        answer is a busy or odd server, not a dead one; see ``_went_away``)."""
        try:
            with anyio.fail_after(PING_TIMEOUT_S):
                await client.session.send_ping()
        except Exception as exc:
            if not is_transport_failure(exc):
                return True
            self._went_away(client, exc)
            return False
        return True

    def _went_away(self, client: Client, exc: BaseException, how: str = "") -> None:
        """``client``'s server is gone (``how``, said already; else ``exc`` says): told as
        failed, and no longer connected (the next connect starts it again)."""
        self._failed = how or said(exc)
        if self._client is client:  # (said once: the calls in flight with it learn it too)
            log.warning("MCP server %s went away: %s", self.name, self._failed)
            self._client = None
        self._liveness.failed(exc)

    async def close(self) -> None:
        """Close the client and wait for it, at most ``close_timeout``; a no-op when not
        connected. A server that does not answer its goodbye is not waited for longer: its
        client goes on closing it in the background (a subprocess is sent SIGTERM, then
        SIGKILL), and is cut off only past ``LEFT_CLOSING_S``."""
        holder, stop, extra = self._holder, self._stop, self._detach()
        self._client = self._holder = self._stop = None
        self._by_hand = False
        with anyio.CancelScope(shield=True):  # a cancelled start closes all the same
            await self._liveness.aclose()  # first: a ping cut by the close is no failure
            if holder is not None and stop is not None:
                stop.set()
                done, _ = await asyncio.wait({holder}, timeout=self.close_timeout)
                if not done:  # its client goes on closing it (stdio: SIGTERM, then SIGKILL)
                    log.warning("MCP server %s did not close in time: left closing", self.name)
                    _LEFT_CLOSING.add(holder)
                    holder.add_done_callback(_LEFT_CLOSING.discard)
                    asyncio.get_running_loop().call_later(LEFT_CLOSING_S, holder.cancel)
            if extra is not None:
                with anyio.move_on_after(CLOSE_TIMEOUT_S):
                    await extra()

    async def refresh(self, client: Client | None = None) -> list[mcp_types.Tool]:
        """List the server's tools again (every page)."""
        client, told = client or self._require(), self.changes
        self._stale = False  # (a change told during this listing makes it stale again)
        self.listed = await every_tool(client)
        self.listed_at = told  # (its hints count again, unless a change came meanwhile)
        return self.listed

    def _require(self) -> Client:
        if self._client is None:
            raise ConnectionError(
                f"MCP server {self.name!r} is not connected"
                + (f": {self._failed}" if self._failed else "")
            )
        return self._client

    async def _on_message(self, message: Any) -> None:
        method = getattr(message, "method", None) or getattr(
            getattr(message, "root", None), "method", None
        )
        if method == "notifications/tools/list_changed":
            self.changes += 1  # the hints listed count no more (see ``MCPTool.read_only``)
            self._stale = not self._listeners  # the next listener is told (see subscribe)
            for listener in list(self._listeners):
                listener.tools_changed(self)

    def subscribe(self, listener: ServerListener) -> Callable[[], None]:
        """Tell ``listener`` when the tools change or the server fails; returns the function
        that stops it. Several sessions may share one server, each with its own listener.
        A change told while nobody listened is told to it now: ``listed`` is old."""
        self._listeners.append(listener)
        if self._stale:
            listener.tools_changed(self)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # -- tools -----------------------------------------------------------------------------

    def toolset(self) -> Toolset:
        """The listed tools the filters keep, as a toolset (see ``tools.toolset_of``).

        Raises:
            DuplicateToolError: two kept tools have one API name (``a.b`` and ``a_b``).
        """
        return toolset_of(self)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], time_limit: float | None = None
    ) -> mcp_types.CallToolResult:
        if self._client is None and self._failed:  # found dead since (a ping while idle)
            raise MCPServerUnavailable(self.name, self._failed)
        client = self._require()
        try:
            # The session enforces the call's own timeout; this is only a backstop, so that
            # a call does not inherit the (short) connect timeout.
            result = await client.call_tool(
                name, arguments, read_timeout_seconds=time_limit or 86400.0
            )
        except asyncio.CancelledError:  # a slow tool, a session's end, or a server stopped
            self._liveness.given_up(client)  # only a ping tells which (see liveness)
            raise
        except Exception as exc:
            refused = self._refusal() or ""
            if refused.startswith(_AWAY):  # told once, until it answers again
                self._liveness.failed(exc)
                raise MCPServerUnavailable(self.name, f"{refused}: {said(exc)}") from exc
            if refused.startswith(_GONE):
                self._went_away(client, exc, f"{refused}: {said(exc)}")
                raise MCPServerUnavailable(self.name, self._failed or refused) from exc
            if is_transport_failure(exc):  # not connected now: the next connect starts it
                self._went_away(client, exc)  # (told once, until it answers again)
                raise MCPServerUnavailable(self.name, exc) from exc
            if is_timeout(exc):  # given up at the backstop
                self._liveness.given_up(client)
            else:  # an error the server sent is an answer
                self._liveness.answered()
            raise
        self._liveness.answered()
        return result

    def _tell_failed(self, exc: BaseException) -> None:
        for listener in list(self._listeners):
            listener.server_failed(self, exc)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

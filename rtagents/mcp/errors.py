"""How a local MCP server fails: its errors, and what tells a failed transport or a timeout
from the errors of the exception groups and libraries below the MCP client."""

from __future__ import annotations

from .._redact import redact
from ..errors import ConnectError, first_error, root_cause
from ..tools import ToolUnavailable


class MCPConnectError(ConnectError, ConnectionError):
    """A local MCP server could not be started or reached; the message names the cause."""


class MCPServerUnavailable(ToolUnavailable, ConnectionError):
    """The server died or its connection broke; the model is told the tool is unavailable."""

    def __init__(self, server: str, cause: BaseException | str) -> None:
        """``cause``: what broke, or what was said of it already (``said``)."""
        # (A server's error may quote the credentials it was given: see ``local.said``.)
        said = redact(cause if isinstance(cause, str) else root_cause(cause, None))
        super().__init__(f"MCP server {server!r} is unavailable ({said})")


def is_timeout(exc: BaseException) -> bool:
    """Whether what raised is a time limit's: ours or a transport's (``TimeoutError``,
    httpx's ``TimeoutException``s), or the MCP client's wait for an answer (its error raised
    from the ``TimeoutError`` of that wait). Never a server's words or code: one may say
    "timed out" of something of its own (a licence server, a database), or use the client's
    timeout code for its own errors (-32001, "unauthorized" to some): that is its answer,
    and names its cause."""
    first = first_error(exc)
    names = {cls.__name__ for cls in type(first).__mro__}
    if names & {"TimeoutError", "TimeoutException"}:
        return True
    return "MCPError" in names and isinstance(first.__context__, TimeoutError)


def is_transport_failure(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(
        names
        & {
            "ClosedResourceError",
            "BrokenResourceError",
            "EndOfStream",
            "ConnectError",
            "RemoteProtocolError",
            "ReadError",
            "ConnectionError",
        }
    ) or _closed(exc)


def _closed(exc: BaseException) -> bool:
    """The MCP client's own word that the connection is gone (its dispatcher's error), not
    a live server's error answer whose message mentions a connection (its database's); or
    a streamable HTTP server's that our MCP session is gone (a 404 for its id: restarted)."""
    from mcp_types import CONNECTION_CLOSED  # (mcp loads when a local server is made)

    message = getattr(exc, "message", None)
    if type(exc).__name__ == "MCPError" and message in _SESSION_GONE:
        return True
    # (The client answers a request whose stream ended with no response the same way: the
    # server died under it. Not every CONNECTION_CLOSED: an oversized event has it too.)
    return getattr(exc, "code", None) == CONNECTION_CLOSED and message in _CONNECTION_GONE


_CONNECTION_GONE = (
    "Connection closed",
    "SSE stream ended without a response",
    # A resumable server's (an event store's): its stream ended, and reconnecting failed.
    "SSE stream ended and reconnection attempts were exhausted",
)


_SESSION_GONE = ("Session not found", "Session terminated")
"""What a streamable HTTP server (its body) or the client (a bare 404) says of a session the
server no longer has: the connection is as good as broken."""


def said(exc: BaseException) -> str:
    """What ``exc`` says of a server's failure, as it may be shown (a log line, an error, the
    model's output): a server's error may quote the credentials it was given."""
    return redact(root_cause(exc) or type(exc).__name__)

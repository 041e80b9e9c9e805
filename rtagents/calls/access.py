"""Who may use a route of the calls server. Each guarded route has an ``authorize`` check:
the app's for the browser routes (``CallServer(authorize=...)``), Twilio's signature for
``/twilio``. One rule for all of them, fail closed: only an explicit ``True`` lets the request
in; ``False``, ``None``, any other value, an exception or a timeout refuse it, with a log line
that names the route and why (never the request's headers)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Union

from starlette.requests import HTTPConnection

from .._either import NoThread, Threads, answer_within, call_either
from .inbound import shown

log = logging.getLogger("rtagents.calls")


@dataclass(frozen=True)
class CallerRequest:
    """What an ``authorize`` check sees of a request (an HTTP request or a websocket's
    handshake). Headers, cookies and the query may carry credentials: they stay out of the
    repr.

    Attributes:
        method: ``"POST"``, ``"GET"``... (``"WEBSOCKET"`` for a websocket).
        path: The request's path (``/session``).
        client: The peer's address (a proxy's, behind one), or ``None``.
        url: The full URL as the server saw it (``http://host/session?...``).
        headers: The request's headers (case-insensitive).
        cookies: The request's cookies.
        query: The query string's parameters.
    """

    method: str
    path: str
    client: str | None
    url: str = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    cookies: Mapping[str, str] = field(repr=False)
    query: Mapping[str, str] = field(repr=False)

    @classmethod
    def of(cls, conn: HTTPConnection) -> CallerRequest:
        method = conn.scope.get("method", "WEBSOCKET")
        client = conn.client.host if conn.client else None
        return cls(
            method,
            conn.url.path,
            client,
            str(conn.url),
            conn.headers,
            conn.cookies,
            conn.query_params,
        )


Authorize = Callable[[CallerRequest], Union[bool, Awaitable[bool]]]
"""``authorize(request) -> bool``, sync or async: ``True`` lets the request in."""


AUTHORIZE_THREADS = 64
"""At most this many sync checks of a route run at once, each in a thread of the route's own
(anyone may call a route: a check that hangs must not take the threads the app shares);
one given up on at its timeout counts until its code returns. Past them, refused at once."""


def check_threads() -> Threads:
    """The threads of one route's sync checks (see ``AUTHORIZE_THREADS``)."""
    return Threads(AUTHORIZE_THREADS, "checks")


async def allowed(
    authorize: Authorize,
    conn: HTTPConnection,
    seconds: float,
    threads: Threads,
    *,
    check: str = "authorize",
) -> bool:
    """Whether ``authorize`` says an explicit yes to ``conn`` within ``seconds``.
    A sync check runs in one of ``threads``, so that a slow one neither blocks the server nor
    escapes the timeout, nor takes the threads the rest of the app shares."""
    request = CallerRequest.of(conn)
    where = f"{request.method} {request.path} from {shown(request.client)}"
    # Detached: a check that shields its lookup, or swallows the cancellation, answers past
    # the deadline; that answer counts for nothing, and the request does not wait for it.
    answer = await answer_within(call_either(authorize, request, threads=threads), seconds)
    problem = None
    if answer.late:
        problem = f"{check} did not answer in {seconds:g} s"
    elif isinstance(answer.error, NoThread):
        problem = str(answer.error)
    elif answer.error is not None:  # its message may quote the request: only the type
        problem = f"{check} raised {type(answer.error).__name__}"
    elif answer.value is not True:
        problem = f"{check} returned {_kind(answer.value)}"
    if problem is not None:
        log.warning("%s refused: %s", where, problem)
        return False
    return True


def _kind(verdict: object) -> str:
    return repr(verdict) if verdict is None or isinstance(verdict, bool) else type(verdict).__name__

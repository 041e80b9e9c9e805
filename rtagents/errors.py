"""The exceptions rtagents raises. Every one derives from ``RtagentsError``."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

from ._redact import redact


class RtagentsError(Exception):
    """Base class of every rtagents exception."""


class ProtocolError(RtagentsError, ValueError):
    """A frame that is not a valid Realtime event.

    ``event_type`` is the frame's ``type`` when it could be read, ``errors`` lists what
    was wrong, one readable line each, and ``param`` is the path of the most specific
    wrong field (``session.audio.output.speed``).
    """

    def __init__(
        self,
        message: str,
        *,
        event_type: str | None = None,
        errors: list[str] | None = None,
        param: str | None = None,
        missing: bool = False,
    ):
        super().__init__(message)
        self.event_type = event_type
        self.errors = errors or []
        self.param = param
        self.missing = missing
        """True when all that was wrong is a required field left out."""


class ConnectError(RtagentsError):
    """The session could not be opened (no key, refused connection, rejected config)."""


class SessionConfigError(ConnectError):
    """The server rejected the session configuration; ``param`` names the field."""

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.param = param
        self.code = code

    @classmethod
    def rejected(cls, error: Any, tools: Sequence[str] = ()) -> SessionConfigError:
        """The server's ``error`` event's ``error``, as this error; ``tools``: the names of
        the tools sent, in order, so that a ``param`` of ``session.tools[N]`` names its tool
        (a local MCP server's schema the API refuses, say)."""
        # The server's words, which may echo a key (a proxy's "Incorrect API key: ..."):
        # masked, as every text of the server's the framework passes on.
        message = f"the server rejected the session configuration: {redact(str(error.message))}"
        found = re.match(r"session\.tools\[(\d+)\]", str(error.param or ""))
        if found is not None and int(found[1]) < len(tools):
            message += f" (the tool {tools[int(found[1])]!r})"
        return cls(message, param=error.param, code=error.code)

    @classmethod
    def unanswered(cls, seconds: float) -> SessionConfigError:
        message = f"the server did not answer the session configuration within {seconds:g} s"
        return cls(message, code="timeout")


class SessionClosedError(RtagentsError):
    """The session has ended (a send or a request on it after that); ``reason`` says why.
    The ``session.closed`` event (``rtagents.session.SessionClosed``) says when it ends."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UnsupportedByAPI(RtagentsError):
    """The session's API cannot do what was asked: a Realtime feature asked of a GPT-Live
    session (truncate, ``response.cancel``, typed user text, ...) or a GPT-Live one of a
    Realtime session (commentary, thinking). ``api`` names the API, ``feature`` the request.
    Nothing was sent."""

    def __init__(self, api: str, feature: str, why: str) -> None:
        super().__init__(f"{api} has no {feature}: {why}")
        self.api = api
        self.feature = feature


class ExtraMissing(RtagentsError, ImportError):
    """A feature needs an optional extra that is not installed. The message is one line
    ending with the ``pip install 'rtagents[EXTRA]'`` that brings it; ``extra`` names it."""

    def __init__(self, feature: str, module: str, extra: str) -> None:
        super().__init__(f"{feature} needs {module}: pip install 'rtagents[{extra}]'", name=module)
        self.extra = extra


def is_group(exc: BaseException) -> bool:
    """Whether ``exc`` is an exception group (a builtin from 3.11, the backport's before:
    known by its class's name). Not any exception with an ``exceptions`` attribute: an
    app's batch error may have one, and says more than its first item does."""
    return any(cls.__name__ == "BaseExceptionGroup" for cls in type(exc).__mro__)


def first_error(exc: BaseException) -> BaseException:
    """The first real error inside exception groups (``exc`` itself when it is none): what a
    task group's "unhandled errors in a TaskGroup" stands for."""
    while is_group(exc) and exc.exceptions:  # type: ignore[attr-defined]
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    return exc


def root_cause(exc: BaseException, limit: int | None = 300) -> str:
    """``Type: message`` (the message cut at ``limit``; ``None``: whole) of
    ``first_error(exc)``, so that a message names the cause rather than "unhandled errors in
    a TaskGroup". The one way rtagents describes an exception in its events and logs: it
    never raises (an exception's text may be made of a value whose ``__str__`` does)."""
    exc = first_error(exc)
    try:
        text = str(exc)
    except Exception:  # (its text made of a value whose own ``__str__`` raises)
        text = "<its message could not be shown>"
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


# Old names kept working, with a warning: name -> (the warning, what it is now).
# SessionClosed was this exception's name until 0.2, and is also the session.closed
# event's class (rtagents.session.SessionClosed): ``except rtagents.SessionClosed`` still
# catches the exception.
RENAMED: dict[str, tuple[str, type[SessionClosedError]]] = {
    "SessionClosed": (
        "rtagents.SessionClosed (the exception) is now rtagents.SessionClosedError; "
        "rtagents.session.SessionClosed is the session.closed event",
        SessionClosedError,
    )
}


def __getattr__(name: str) -> type[SessionClosedError]:
    if name in RENAMED:
        message, now = RENAMED[name]
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return now
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

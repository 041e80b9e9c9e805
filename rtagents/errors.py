"""The exceptions rtagents raises. Every one derives from ``RtagentsError``."""

from __future__ import annotations


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


class SessionClosed(RtagentsError):
    """The session has ended; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def root_cause(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` (the message cut at ``limit``) of the first real error inside
    exception groups, so that a message names the cause rather than "unhandled errors in a
    TaskGroup". The one way rtagents describes an exception in its events and logs."""
    while isinstance(getattr(exc, "exceptions", None), (list, tuple)) and exc.exceptions:  # type: ignore[attr-defined]
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

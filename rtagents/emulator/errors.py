"""Errors the emulator answers a client event with (an ``error`` event, never a crash)."""

from __future__ import annotations


class ClientEventError(Exception):
    """What went wrong with a client event: becomes an ``error`` server event."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        param: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.type = type

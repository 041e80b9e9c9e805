"""What the emulator's server core asks its shell to do: the sans-I/O server's actions.

The core (``ServerCore``) never touches a socket, a clock or the model. It hands out one
action at a time; the shell performs it and, for the requests that have an answer (the
model's turn, a hosted MCP listing or call, speech), feeds the answer back with
``core.resolve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

from ..protocol import ServerEvent
from ..protocol.live import ServerEvent as LiveServerEvent
from .models import ModelContext


@dataclass(frozen=True)
class Send:
    """Send this server event to the client (a Realtime one, or a GPT-Live one)."""

    event: ServerEvent | LiveServerEvent


@dataclass(frozen=True)
class AskModel:
    """Ask the model for a turn; answer with its outputs (or an exception)."""

    ticket: int
    context: ModelContext


@dataclass(frozen=True)
class ListHostedTools:
    """Connect to a hosted MCP server and list its tools; answer with the tools as wire
    dicts (``name``, ``description``, ``input_schema``, ``annotations``) or an exception."""

    ticket: int
    config: dict[str, Any]


@dataclass(frozen=True)
class CallHostedTool:
    """Call a tool of a hosted MCP server listed before; answer with a ``HostedResult``.
    ``config``: the server's, for a connection with no client for it yet (one that
    attached to a GPT-Live session the server was listed on)."""

    ticket: int
    server_label: str
    name: str
    arguments: dict[str, Any]
    config: dict[str, Any]


@dataclass(frozen=True)
class HostedResult:
    """A hosted MCP call's outcome: its text, or the ``error`` object of an ``mcp_call`` item."""

    output: str | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class Speak:
    """Say ``text`` in the emulator's voice; answer with its speech (PCM16 at 24 kHz, as
    ``bytes``) or an exception. The shell runs the voice in a worker thread."""

    ticket: int
    text: str


@dataclass(frozen=True)
class Disconnect:
    """End the connection: a close frame of (``code``, ``reason``), or a TCP reset."""

    code: int
    reason: str
    reset: bool = False


Request = Union[AskModel, ListHostedTools, CallHostedTool, Speak]
CONNECTION_BOUND = (ListHostedTools, CallHostedTool)
"""Requests a connection performs with clients of its own (the hosted MCP servers'), which
go with it: a session that outlives it (GPT-Live's) has them made again by the next. The
others (the model, the voice) are the session's: their answers reach it whatever serves it."""
ServerAction = Union[Send, AskModel, ListHostedTools, CallHostedTool, Speak, Disconnect]

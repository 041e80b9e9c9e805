"""The emulator's pluggable 'model': what it says and which tools it calls, turn by turn."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Union, cast


@dataclass(frozen=True)
class Say:
    """Answer with this text (spoken, with a transcript, when the session outputs audio)."""

    text: str


@dataclass(frozen=True)
class CallFunction:
    """Call a function tool; ``arguments`` is a dict or a raw JSON string (even a bad one)."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    call_id: str | None = None

    @property
    def arguments_json(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass(frozen=True)
class CallMCP:
    """Call a tool of a hosted MCP server (``type: "mcp"`` in the session's tools)."""

    server_label: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


Output = Union[Say, CallFunction, CallMCP]


@dataclass
class ModelContext:
    """What the model sees when asked for a turn."""

    items: list[dict[str, Any]]
    """The conversation (or the response's own ``input``), as wire dicts."""
    instructions: str
    tools: list[dict[str, Any]]
    """Function tool definitions, and hosted MCP tools as ``{"type": "mcp_tool", ...}``."""
    metadata: dict[str, str] | None = None
    tool_choice: Any = "auto"
    """The response's (else the session's) ``tool_choice``: ``"auto"``, ``"required"`` (the
    model must call one of ``tools``), ``"none"`` or a named tool. ``tools`` already holds
    only what it allows (none for ``"none"``, the named one alone)."""

    @property
    def last_user_text(self) -> str:
        """The text (or transcript) of the latest user message, '' if none."""
        for item in reversed(self.items):
            if item.get("type") == "message" and item.get("role") == "user":
                parts = [
                    c.get("text") or c.get("transcript") or "" for c in item.get("content", [])
                ]
                return " ".join(p for p in parts if p) or item.get("_heard") or ""
        return ""

    @property
    def pending_outputs(self) -> list[dict[str, Any]]:
        """Tool results that arrived after the model's last message: what to answer from."""
        out: list[dict[str, Any]] = []
        for item in reversed(self.items):
            kind = item.get("type")
            if kind in ("function_call_output", "mcp_call", "mcp_approval_response"):
                out.append(item)
            elif kind == "message":
                break
        return list(reversed(out))


Turn = Sequence[Output]
TurnSource = Union[Turn, Output, str, Callable[[ModelContext], Any]]


class Model(Protocol):
    """Anything that can produce the next turn from a context."""

    def respond(self, ctx: ModelContext) -> Turn | Awaitable[Turn]: ...


def stand_in(model: Any) -> Model:
    """``Emulator(model=...)``'s model, checked: a model's name (``"gpt-realtime"``), or a
    model's class, would fail every response, said only in the emulator's log."""
    if isinstance(model, type) or not callable(getattr(model, "respond", None)):
        what = f"the class {model.__name__}" if isinstance(model, type) else repr(model)
        raise TypeError(
            f"Emulator(model=...) takes a stand-in model (RuleModel(), ScriptedModel([...]), "
            f"or any object with respond(ctx)), not {what:.60}; the model's name a session "
            "asks for is connect(model=...)'s or Agent(model=...)'s"
        )
    return cast(Model, model)


def as_turn(value: Any) -> list[Output]:
    """A turn's outputs: a string is said, wherever it is (alone, or in a list of outputs)."""
    if isinstance(value, (str, Say, CallFunction, CallMCP)):
        value = [value]
    outputs = [Say(v) if isinstance(v, str) else v for v in value]
    for output in outputs:
        if not isinstance(output, (Say, CallFunction, CallMCP)):
            raise TypeError(
                f"a turn's outputs are text, Say, CallFunction or CallMCP, not {output!r:.60}"
            )
    return outputs


class ScriptedModel:
    """Plays a script: each response takes the next turn.

    A turn is a string (said), an output (``Say``, ``CallFunction``,
    ``CallMCP``), a list of outputs (in order, e.g. two calls at once), or a function
    of the ``ModelContext`` returning any of those (it may be async). When the script
    runs out, the model says ``then``.
    """

    def __init__(self, turns: Sequence[TurnSource], *, then: str = "(end of script)") -> None:
        # One string is one turn (said), not a turn a character: a str is a Sequence too.
        self.turns = [turns] if isinstance(turns, str) else list(turns)
        self.then = then
        self.contexts: list[ModelContext] = []

    async def respond(self, ctx: ModelContext) -> list[Output]:
        self.contexts.append(ctx)
        if not self.turns:
            return [Say(self.then)]
        turn = self.turns.pop(0)
        if callable(turn) and not isinstance(turn, (Say, CallFunction, CallMCP)):
            turn = turn(ctx)
            if inspect.isawaitable(turn):
                turn = await turn
        return as_turn(turn)

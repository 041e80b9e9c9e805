"""The emulator's pluggable 'model': what it says and which tools it calls, turn by turn."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Union


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


def _as_turn(value: Any) -> list[Output]:
    if isinstance(value, str):
        return [Say(value)]
    if isinstance(value, (Say, CallFunction, CallMCP)):
        return [value]
    return list(value)


class ScriptedModel:
    """Plays a script: each response takes the next turn.

    A turn is a string (said), an output (``Say``, ``CallFunction``,
    ``CallMCP``), a list of outputs (in order, e.g. two calls at once), or a function
    of the ``ModelContext`` returning any of those (it may be async). When the script
    runs out, the model says ``then``.
    """

    def __init__(self, turns: Sequence[TurnSource], *, then: str = "(end of script)") -> None:
        self.turns = list(turns)
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
        return _as_turn(turn)


_WORD = re.compile(r"[a-zA-Z]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "is",
        "it",
        "be",
        "do",
        "does",
        "what",
        "whats",
        "how",
        "me",
        "my",
        "you",
        "your",
        "i",
        "please",
        "can",
        "could",
        "would",
        "will",
        "with",
        "about",
        "this",
        "that",
        "from",
        "by",
        "get",
        "set",
    ]
)


class RuleModel:
    """A deterministic stand-in for a model, for demos: it calls tools the user asks for.

    For a user message it picks the tool whose name and description share the most words
    with the message, fills its arguments from the words (a capitalised word or quoted
    text for strings, numbers for numbers, a mentioned value for enums) and calls it.
    After tool outputs it answers from them. Otherwise it echoes what it heard.
    """

    def respond(self, ctx: ModelContext) -> list[Output]:
        outputs = ctx.pending_outputs
        if outputs:
            return [Say(" ".join(filter(None, (_describe(item) for item in outputs))))]
        text = ctx.last_user_text
        if not text:
            return [Say("I'm listening.")]
        words = {w.lower() for w in _WORD.findall(text)} - _STOP
        best, best_score = None, 0
        for tool in ctx.tools:
            name_words = set(re.split(r"[_\-\s]+", tool.get("name", "").lower()))
            desc_words = {w.lower() for w in _WORD.findall(tool.get("description") or "")}
            score = 3 * len(words & name_words) + len(words & (desc_words - _STOP))
            if score > best_score:
                best, best_score = tool, score
        if best is None:
            return [Say(f"You said: {text}")]
        arguments = _fill_arguments(best.get("parameters") or best.get("input_schema") or {}, text)
        if best.get("type") == "mcp_tool":
            return [CallMCP(best["server_label"], best["name"], arguments)]
        return [CallFunction(best["name"], arguments)]


def _describe(item: dict[str, Any]) -> str:
    if item.get("type") == "mcp_approval_response":
        return "OK, I won't do that." if not item.get("approve") else ""
    if item.get("type") == "mcp_call":
        if item.get("error"):
            return f"{item['name']} failed: {item['error'].get('message', 'error')}."
        return _sentence(f"{item['name']} says: {item.get('output')}")
    output = item.get("output", "")
    try:
        data = json.loads(output)
    except ValueError:
        return _sentence(output)
    if isinstance(data, dict) and "error" in data:
        return f"Sorry, that did not work ({data.get('message') or data['error']})."
    return _sentence(data if isinstance(data, str) else output)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b", re.I)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NAME = re.compile(r"\b[A-Z][\w'&-]*(?:\s+(?:[A-Z][\w'&-]*|de|la|du|van|von))*")


def _words_of(name: str, prop: dict[str, Any]) -> set[str]:
    """The words a parameter answers to: its name's parts and its description's words."""
    words = set(re.split(r"[_\-\s]+", name.lower()))
    words |= {w.lower() for w in _WORD.findall(prop.get("description") or "")} - _STOP
    synonyms = {"party": {"people", "guests", "persons"}, "size": {"people", "guests"}}
    for word in list(words):
        words |= synonyms.get(word, set())
    return words


def _fill_arguments(schema: dict[str, Any], text: str) -> dict[str, Any]:
    """Arguments for a tool from what the user said, by the schema: enums, dates, times,
    numbers (the one next to a word the parameter answers to: "for 4 people" fills
    ``party_size``), names (capitalised words, without the sentence's first word), quoted
    text. Good enough for a newcomer's own tools to get plausible calls offline."""
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lowered = text.lower()
    dates = _DATE.findall(text)
    times = [t.strip() for t in _TIME.findall(text)]
    rest = _TIME.sub(" ", _DATE.sub(" ", text))  # numbers inside dates and times are not counts
    numbers = [(m.group(), m.start(), m.end()) for m in _NUMBER.finditer(rest)]
    quoted = [a or b for a, b in re.findall(r"\"([^\"]+)\"|'([^']+)'", text)]
    first = (_WORD.findall(text) or [""])[0]
    names = []
    for run in _NAME.findall(rest):
        parts = run.split()
        while parts and (
            parts[0].split("'")[0] == first.split("'")[0]
            or parts[0].lower().replace("'", "") in _STOP
        ):
            parts.pop(0)  # "Is Chez Panisse" -> "Chez Panisse"
        if parts:
            names.append(" ".join(parts))
    strings = quoted + [n for n in names if n not in quoted]
    if not strings:
        content = [w for w in _WORD.findall(rest) if w.lower() not in _STOP and w != first]
        strings = content[-1:]
    args: dict[str, Any] = {}
    for name, prop in props.items():
        kind = prop.get("type")
        fmt = prop.get("format", "")
        words = _words_of(name, prop)
        if "enum" in prop:
            mentioned = [v for v in prop["enum"] if str(v).lower() in lowered]
            if mentioned or name in required:
                args[name] = mentioned[0] if mentioned else prop["enum"][0]
        elif (
            kind == "string" and (fmt in ("date", "date-time") or words & {"date", "day"}) and dates
        ):
            args[name] = dates.pop(0)
        elif kind == "string" and (fmt == "time" or "time" in words) and times:
            args[name] = times.pop(0)
        elif kind in ("integer", "number") and numbers:
            pick = next((n for n in numbers if words & _neighbours(rest, n[1], n[2])), numbers[0])
            numbers.remove(pick)
            value = float(pick[0])
            args[name] = int(value) if kind == "integer" else value
        elif kind == "string" and strings:
            args[name] = strings.pop(0)
        elif kind == "boolean" and name in required:
            args[name] = not any(w in lowered.split() for w in ("no", "not", "don't", "without"))
        elif name in required and kind == "string":
            args[name] = text
    return args


def _neighbours(text: str, start: int, end: int) -> set[str]:
    """The words just before and after a number ("for 4 people": {"for", "people"})."""
    before = _WORD.findall(text[:start])[-2:]
    after = _WORD.findall(text[end:])[:2]
    return {w.lower() for w in before + after}

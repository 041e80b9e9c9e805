"""The emulator's default model, for demos and first runs offline: it calls the tool the user
asks for, with arguments read from their words, and answers from the tool's output."""

from __future__ import annotations

import json
import re
from typing import Any

from .models import CallFunction, CallMCP, ModelContext, Output, Say

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
    with the message (a word of the name counts 3, of the description 1; the first listed
    wins a tie), fills its arguments from the words by the tool's schema, and calls it:

    - an enum: a value the message mentions;
    - a date (``format: date`` or a parameter about a day): a ``YYYY-MM-DD`` in the message;
    - a time: ``7 pm``, ``19:30``;
    - a number: the one next to a word of the parameter ("for 4 people" fills
      ``party_size``), else the first;
    - a string: quoted text first, then names (capitalised words, not the sentence's first),
      else the last word that is not a stop word. A quote is straight or curly, single or
      double, at a word's edge: the apostrophe in "today's" or "O'Brien" is not one;
    - a required boolean: false when the message says no, not, don't or without.

    After tool outputs it answers from them. With no tool matching, it echoes what it heard.
    See the emulator's docs (docs/emulator.md) for examples.
    """

    def respond(self, ctx: ModelContext) -> list[Output]:
        outputs = ctx.pending_outputs
        if outputs:
            return [Say(" ".join(filter(None, (_describe(item) for item in outputs))))]
        latest = ctx.items[-1] if ctx.items else {}
        note = latest.get("role") == "system" or str(latest.get("id", "")).startswith("bg_")
        if latest.get("type") == "message" and note:
            # The app's note (a background task's result, rtagents' bg_ item, as a system or
            # a user message): said, not taken for a request (that would start it again).
            said = " ".join(c.get("text") or "" for c in latest.get("content", [])).strip()
            return [Say(_sentence(said) if said else "Noted.")]
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
        if best is None and ctx.tools and ctx.tool_choice != "auto":
            best = ctx.tools[0]  # "required", or a named tool: a call, however poor the match
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
_CAPITALISED = r"[A-Z]\w*(?:['\u2019&-]\w+)*"  # O'Brien, Rock-n-Roll; not a closing quote
_NAME = re.compile(rf"\b{_CAPITALISED}(?:\s+(?:{_CAPITALISED}|de|la|du|van|von))*")
# A quote opens where no letter is before it and closes where none is after it: the
# apostrophe of "today's", "O'Brien" or "don't" is inside a word, so it is not a quote.
_QUOTED = re.compile(r"""(?<!\w)(?:'(.+?)'|"(.+?)"|\u2018(.+?)\u2019|\u201c(.+?)\u201d)(?!\w)""")


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
    quoted = [next(filter(None, m.groups())) for m in _QUOTED.finditer(text)]
    unquoted = _QUOTED.sub(" ", text)  # a quotation is one string, not names or numbers
    dates = _DATE.findall(unquoted)
    times = [t.strip() for t in _TIME.findall(unquoted)]
    rest = _TIME.sub(" ", _DATE.sub(" ", unquoted))  # numbers in dates and times are not counts
    numbers = [(m.group(), m.start(), m.end()) for m in _NUMBER.finditer(rest)]
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

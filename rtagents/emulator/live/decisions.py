"""GPT-Live's Decisions in the emulator, sans I/O: the Decision items a session keeps, the
``decision.create`` ids it has seen, and a deterministic stand-in for the Decision API.

The emulator's rule (no model is asked): a question is answered from the words of its
evidence (the transcript it is asked on, and the session's Decision items' text), lowercased
and split on anything but letters, digits and apostrophes.

- ``choice``: the first option whose value's words all appear (``True`` matches "yes" or
  "true", ``False`` matches "no" or "false"), at probability 1; when none does, every option
  at even odds and the first one picked (confidence 1/n).
- ``predicate``: probability 1 when a word of its instructions at least 5 letters long
  appears, else 0.
- ``score``: the last (highest) level whose label's words all appear, at probability 1
  (``value`` and ``score`` are the level's index from 0); when none does, even odds and the
  middle of the scale.
- Never a refusal. Usage counts a token per word of the evidence and instructions (input)
  and one per question (output).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..conversation import new_id
from ..errors import ClientEventError

_WORD = re.compile(r"[a-z0-9']+")
_KEYWORD_LETTERS = 5
_BOOL_WORDS = {True: ({"yes"}, {"true"}), False: ({"no"}, {"false"})}


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def text_of(value: Any) -> str:
    """The text in an item, its content or a question's instructions (parts or plain)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(text_of(v) for v in value)
    if isinstance(value, dict):
        fields = ("text", "content", "arguments", "output", "input", "refusal")
        return " ".join(text_of(value[k]) for k in fields if k in value)
    return ""


class Decisions:
    """A session's Decision state: its items (what every evaluation also reads) and the
    ``decision.create`` event ids used (never twice in a session)."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.used_ids: set[str] = set()

    def add_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Store ``item`` (given an id when it has none); the item as stored."""
        stored = dict(item)
        item_id = stored.get("id") or new_id("item")
        if item_id in self.items:
            raise ClientEventError(
                f"A Decision item with id '{item_id}' already exists.",
                code="invalid_value",
                param="item.id",
            )
        stored["id"] = item_id
        self.items[item_id] = stored
        return stored

    def delete_item(self, item_id: str) -> None:
        if self.items.pop(item_id, None) is None:
            raise ClientEventError(
                f"No Decision item with id '{item_id}' in this session.",
                code="invalid_value",
                param="item_id",
            )

    def use_id(self, event_id: str) -> None:
        if event_id in self.used_ids:
            raise ClientEventError(
                f"The event_id '{event_id}' was already used in this session.",
                code="invalid_value",
                param="event_id",
            )
        self.used_ids.add(event_id)

    def decide(
        self, model: str, questions: list[dict[str, Any]], transcript: str
    ) -> dict[str, Any]:
        """The ``decision`` of a ``decision.completed`` event: ``questions`` answered on
        ``transcript`` and the items, by the module's rule."""
        evidence = " ".join([*(text_of(i) for i in self.items.values()), transcript])
        seen = words(evidence)
        answers = [_answer(q, seen) for q in questions]
        asked = sum(len(_WORD.findall(text_of(q["instructions"]).lower())) for q in questions)
        input_tokens = len(_WORD.findall(evidence.lower())) + asked
        return {
            "model": model,
            "answers": answers,
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
                "output_tokens": len(questions),
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": input_tokens + len(questions),
            },
        }

    def event(
        self,
        model: str,
        questions: list[dict[str, Any]],
        transcript: str,
        *,
        delegation_id: str | None = None,
        trigger_id: str | None = None,
        source: Any = None,
    ) -> dict[str, Any]:
        """The fields of a ``decision.event``: the decision, and what asked for it (its
        delegation, its trigger and the transcript event that fired it)."""
        return {
            "event": {
                "type": "decision.completed",
                "decision": self.decide(model, questions, transcript),
            },
            "delegation_id": delegation_id,
            "trigger_id": trigger_id,
            "source_event_id": getattr(source, "event_id", None),
            "source_event_type": getattr(source, "type", None),
        }


def last_user_text(items: Iterable[dict[str, Any]]) -> str:
    """What the user said last in a conversation's items ('' if nothing)."""
    users = [item for item in items if item.get("role") == "user"]
    return text_of(users[-1].get("content")) if users else ""


def check_triggers(triggers: Iterable[dict[str, Any]]) -> None:
    """At most one trigger per transcript event type."""
    kinds: set[str] = set()
    for trigger in triggers:
        if trigger["event_type"] in kinds:
            raise ClientEventError(
                f"Invalid 'session.triggers': more than one trigger on '{trigger['event_type']}'.",
                code="invalid_value",
                param="session.triggers",
            )
        kinds.add(trigger["event_type"])


def _answer(question: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    kind = question["type"]
    named = {"name": question["name"]} if question.get("name") is not None else {}
    if kind == "predicate":
        keywords = {w for w in words(text_of(question["instructions"])) if len(w) >= 5}
        return {"type": "predicate", "probability": 1.0 if keywords & seen else 0.0, **named}
    if kind == "choice":
        values = [c["value"] for c in question["choices"]]
        hit = next((i for i, v in enumerate(values) if _matches(v, seen)), None)
        probs = _odds(len(values), hit)
        return {
            "type": "choice",
            "choice": values[hit or 0],
            "confidence": probs[hit or 0],
            "probabilities": [
                {"value": v, "probability": p} for v, p in zip(values, probs, strict=True)
            ],
            **named,
        }
    levels = [level["label"] for level in question["levels"]]
    hits = [i for i, label in enumerate(levels) if _matches(label, seen)]
    top = hits[-1] if hits else None
    probs = _odds(len(levels), top)
    return {
        "type": "score",
        "score": float(top) if top is not None else (len(levels) - 1) / 2,
        "confidence": probs[top or 0],
        "probabilities": [
            {"label": label, "value": i, "probability": p}
            for i, (label, p) in enumerate(zip(levels, probs, strict=True))
        ],
        **named,
    }


def _matches(value: Any, seen: set[str]) -> bool:
    if isinstance(value, bool):
        return any(group <= seen for group in _BOOL_WORDS[value])
    wanted = words(str(value))
    return bool(wanted) and wanted <= seen


def _odds(n: int, hit: int | None) -> list[float]:
    if hit is None:
        return [1 / n] * n if n else []
    return [1.0 if i == hit else 0.0 for i in range(n)]

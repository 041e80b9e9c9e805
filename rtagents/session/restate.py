"""What a later configuration on the same connection says again, sans I/O.

Both APIs' ``session.update`` is sparse: a setting left out keeps its value. An agent that
sets no ``instructions`` (or no ``tool_choice``, no ``turn_detection``) taking over from one
that did would run on the leaving agent's: a transfer to a billing agent with no
instructions went on answering as triage, with triage's ``tool_choice="required"``. So an
update after the connection's first puts back the server's default of each setting the
server reports changed and the new configuration leaves out. The first configuration of a
connection restates nothing: the server starts from its defaults (or from a call's accept).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .. import protocol as p

Place = tuple[str, ...]

_MISSING = object()

# Not the agent's to restate: what the server fixes or reports of itself, what is sent in
# full each time (tools), and what a session keeps whatever the agent (the line's formats,
# a voice the API refuses to change once it has spoken, tracing fixed once set).
_KEPT = frozenset({"type", "id", "object", "expires_at", "model", "tools", "tracing", "audio"})
_KEPT_AUDIO = {"input": frozenset({"format"}), "output": frozenset({"format", "voice"})}

LIVE_DEFAULTS: dict[str, Any] = {
    "delegation": {"responses": {"instructions": "", "tool_choice": "auto"}}
}
"""GPT-Live's backend settings an agent may set, at what a backend does without them (no
instructions; the model chooses whether to call tools)."""
LIVE_PLACES: tuple[Place, ...] = (
    ("delegation", "responses", "instructions"),
    ("delegation", "responses", "tool_choice"),
)


class Restater:
    """One Realtime session's view of what to restate: the server's defaults (its
    ``session.created``) and what it reported since on this connection."""

    __slots__ = ("_defaults", "_reported")

    def __init__(self) -> None:
        self._defaults: str | None = None  # JSON text: the collector never scans it
        self._reported: str | None = None  # None: nothing configured on this connection yet

    def created(self, session_json: str) -> None:
        """A new connection's ``session.created``: its server's defaults."""
        self._defaults, self._reported = session_json, None

    def updated(self, session_json: str) -> None:
        """The server's ``session.updated``."""
        self._reported = session_json

    def restated(self, config: p.SessionConfig) -> p.SessionConfig:
        """``config``, with the defaults it should restate put back."""
        if self._defaults is None or self._reported is None:
            return config
        defaults, fields = json.loads(self._defaults), config.model_dump(exclude_unset=True)
        if restate(fields, json.loads(self._reported), defaults, realtime_places(defaults)):
            return p.SessionConfig.model_validate(fields)
        return config


def realtime_places(defaults: dict[str, Any]) -> list[Place]:
    """The Realtime settings an agent governs: those the server reports at the start,
    less the kept ones."""
    places: list[Place] = [(key,) for key in defaults if key not in _KEPT]
    audio = defaults.get("audio")
    for side, kept in _KEPT_AUDIO.items():
        settings = audio.get(side) if isinstance(audio, dict) else None
        if isinstance(settings, dict):
            places += [("audio", side, key) for key in settings if key not in kept]
    return places


def restate(
    config: dict[str, Any],
    reported: dict[str, Any],
    defaults: dict[str, Any],
    places: Iterable[Place],
) -> list[Place]:
    """Set in ``config`` each of ``places`` it leaves out where ``reported`` differs from
    ``defaults``, to the default; the places set."""
    restated: list[Place] = []
    for place in places:
        if _get(config, place) is not _MISSING:
            continue
        now, default = _get(reported, place), _get(defaults, place)
        if default is _MISSING or now is _MISSING or now == default:
            continue
        _put(config, place, default)
        restated.append(place)
    return restated


def _get(tree: Any, place: Place) -> Any:
    for key in place:
        if not isinstance(tree, dict) or key not in tree:
            return _MISSING
        tree = tree[key]
    return tree


def _put(tree: dict[str, Any], place: Place, value: Any) -> None:
    *parents, last = place
    for key in parents:
        child = tree.get(key)
        if not isinstance(child, dict):
            child = tree[key] = {}
        tree = child
    tree[last] = value

"""What a later configuration on the same connection says again, sans I/O.

Both APIs' ``session.update`` is sparse: a setting left out keeps its value. An agent that
sets no ``instructions`` (or no ``tool_choice``, no ``turn_detection``) taking over from one
that did would run on the leaving agent's: a transfer to a billing agent with no
instructions went on answering as triage, with triage's ``tool_choice="required"``. So an
update after the connection's first puts back the server's default of each setting the
server reports changed (or an update still on its way changes: the server applies them in
order) and the new configuration leaves out. The first configuration of a connection
restates nothing: the server starts from its defaults (or from a call's accept).

The defaults are those the server reported at the start (``session.created``), except on a
call's sideband, whose ``session.created`` reports the call's accept (the first agent's
settings): there, the API's documented defaults (``REALTIME_DEFAULTS``).
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

REALTIME_DEFAULTS: dict[str, Any] = {
    "instructions": "",
    "tool_choice": "auto",
    "output_modalities": ["audio"],
    "max_output_tokens": "inf",
    "truncation": "auto",
    "audio": {
        "input": {"transcription": None, "noise_reduction": None},
        "output": {"speed": 1.0},
    },
}
"""The Realtime settings an agent may set, at the API's defaults (for a sideband: see above;
its turn detection, which has no one default to go back to, is left as the call has it)."""

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

    __slots__ = ("_attached", "_defaults", "_reported", "_sideband")

    def __init__(self, *, sideband: bool = False) -> None:
        # JSON text: the collector never scans it (a sideband's: the API's, never reported)
        self._defaults: str | None = json.dumps(REALTIME_DEFAULTS) if sideband else None
        self._reported: str | None = None  # None: as the defaults (a new connection's)
        self._sideband = sideband
        self._attached = False  # a sideband's first connection came (its accept: its own)

    def created(self, session_json: str) -> None:
        """A new connection's ``session.created``: its server's defaults (a sideband's
        reports the call's accept: not defaults)."""
        if self._sideband:  # attached again: the call's session as it runs now (not the accept)
            self._reported, self._attached = (session_json if self._attached else None), True
        else:
            self._defaults, self._reported = session_json, None

    def updated(self, session_json: str) -> None:
        """The server's ``session.updated``."""
        self._reported = session_json

    def restated(self, config: p.SessionConfig, on_its_way: Iterable[Any] = ()) -> p.SessionConfig:
        """``config``, with the defaults it should restate put back; ``on_its_way``: the
        requests sent and not yet answered, newest first (their sessions are the server's
        before this one)."""
        if self._defaults is None:
            return config
        now = json.loads(self._reported if self._reported is not None else self._defaults)
        for request in reversed(list(on_its_way)):
            sent = getattr(request, "session", None)
            if sent is not None:
                _overlay(now, sent.model_dump(mode="json", exclude_unset=True))
        defaults, fields = json.loads(self._defaults), config.model_dump(exclude_unset=True)
        if restate(fields, now, defaults, realtime_places(defaults)):
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


def _overlay(tree: dict[str, Any], update: dict[str, Any]) -> None:
    """``update`` applied to ``tree`` as the server applies a sparse one (``audio``'s two
    sides, setting by setting; every other setting whole)."""
    for key, value in update.items():
        if key == "audio" and isinstance(value, dict) and isinstance(tree.get(key), dict):
            for side, settings in value.items():
                if isinstance(settings, dict) and isinstance(tree[key].get(side), dict):
                    tree[key][side].update(settings)
                else:
                    tree[key][side] = settings
        else:
            tree[key] = value


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

"""What a later configuration on the same connection says again, sans I/O.

Both APIs' ``session.update`` is sparse: a setting left out keeps its value. An agent that
sets no ``instructions`` (or no ``tool_choice``, no ``turn_detection``) taking over from one
that did would run on the leaving agent's: a transfer to a billing agent with no
instructions went on answering as triage, with triage's ``tool_choice="required"``. So an
update puts back the default of each setting an earlier configuration of the session set
(sent, or still on its way: the server applies them in order) and the new one leaves out.
The first configuration of a connection restates nothing: a new server session starts from
its defaults. A call's sideband is the same call on every connection: what it set stays set
across a reattach, and what the call's accept set that no configuration of ours set is the
call's own, never put back.

The defaults are those the server reported at the start (``session.created``), except on a
sideband, whose ``session.created`` reports the call as it runs: there, the API's documented
defaults (``REALTIME_DEFAULTS``). GPT-Live's backend settings are put back by the same
``restate``, for what the server reports changed (``changed``: its report is of the session
we started).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .. import protocol as p
from ..protocol import live as lp

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
    "delegation": {"responses": {"instructions": "", "tool_choice": "auto"}},
    "triggers": [],
}
"""GPT-Live's settings a running session's agent may change, at what the session does
without them (a backend with no instructions, the model choosing whether to call tools; no
transcript triggers)."""
LIVE_PLACES: tuple[Place, ...] = (
    ("delegation", "responses", "instructions"),
    ("delegation", "responses", "tool_choice"),
    ("delegation", "acknowledgement_delay_ms"),
    ("triggers",),
)


def live_defaults(kind: str) -> dict[str, Any]:
    """``LIVE_DEFAULTS`` for a session whose delegation is of ``kind``, with its server's own
    delay before it acknowledges a delegation aloud (an agent's filler: it goes with the
    agent that set it, as a Realtime filler does)."""
    delegation = dict(LIVE_DEFAULTS["delegation"])
    if kind in lp.ACKNOWLEDGEMENT_DELAY_MS:
        delegation["acknowledgement_delay_ms"] = lp.ACKNOWLEDGEMENT_DELAY_MS[kind]
    return {"delegation": delegation, "triggers": []}


class Restater:
    """What one Realtime session has set: the settings of the configurations it sent (the
    server keeps each until it is set again), and the defaults to put them back to."""

    __slots__ = ("_defaults", "_set", "_sideband")

    def __init__(self, *, sideband: bool = False) -> None:
        # JSON text, and a tuple of strings: nothing the collector scans
        self._defaults: str | None = json.dumps(REALTIME_DEFAULTS) if sideband else None
        self._set: tuple[str, ...] = ()  # places ("audio.output.speed") set on the session
        self._sideband = sideband

    def created(self, session_json: str) -> None:
        """A new connection's ``session.created``: its server's defaults (a sideband's
        reports the call as it runs: its defaults are the API's)."""
        if not self._sideband:
            self._defaults = session_json

    def dropped(self) -> None:
        """The connection dropped. The next is a new server session, which has nothing of
        what this one set; a sideband's is the same call, which keeps it all."""
        if not self._sideband:
            self._set = ()

    def restated(self, config: p.SessionConfig) -> p.SessionConfig:
        """``config``, with the default of each setting an earlier configuration set and it
        leaves out put back (sent or still on its way: the server applies them in order)."""
        fields = config.model_dump(exclude_unset=True)
        given = {".".join(place) for place in _places(fields)}
        left = [tuple(place.split(".")) for place in self._set if place not in given]
        put = restate(fields, left, json.loads(self._defaults)) if left and self._defaults else []
        back = {".".join(place) for place in put}  # (at their defaults again)
        self._set = tuple(sorted((set(self._set) - back) | given))
        return p.SessionConfig.model_validate(fields) if put else config


def _places(config: dict[str, Any]) -> list[Place]:
    """The settings a Realtime configuration sets that an agent governs (not the kept ones)."""
    places: list[Place] = [(key,) for key in config if key not in _KEPT]
    audio = config.get("audio")
    for side, kept in _KEPT_AUDIO.items():
        settings = audio.get(side) if isinstance(audio, dict) else None
        if isinstance(settings, dict):
            places += [("audio", side, key) for key in settings if key not in kept]
    return places


def changed(
    reported: dict[str, Any], defaults: dict[str, Any], places: Iterable[Place]
) -> list[Place]:
    """Those of ``places`` the server reports away from their defaults (GPT-Live's: its
    report is of the session we started)."""
    return [
        place for place in places if _get(reported, place) not in (_MISSING, _get(defaults, place))
    ]


def restate(
    config: dict[str, Any], places: Iterable[Place], defaults: dict[str, Any]
) -> list[Place]:
    """Set in ``config`` each of ``places`` it leaves out to its default, where one is known;
    the places set."""
    restated: list[Place] = []
    for place in places:
        default = _get(defaults, place)
        if _get(config, place) is _MISSING and default is not _MISSING:
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

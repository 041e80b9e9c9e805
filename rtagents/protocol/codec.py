"""Decode server frames into typed events and encode client events into frames."""

from __future__ import annotations

import json
from typing import Annotated, Any, NamedTuple

from pydantic import Field, PrivateAttr, TypeAdapter, ValidationError

from ..errors import ProtocolError
from ._base import WireModel
from .client_events import CLIENT_EVENT_TYPES, ClientEvent
from .paths import deepest_error, wire_path
from .server_events import SERVER_EVENT_TYPES, ServerEvent

_SERVER = TypeAdapter[Any](Annotated[ServerEvent, Field(discriminator="type")])
_CLIENT = TypeAdapter[Any](ClientEvent)

SERVER_EVENTS: dict[str, type[WireModel]] = {
    cls.model_fields["type"].default: cls for cls in SERVER_EVENT_TYPES
}
"""Every modelled server event class by its ``type``."""

CLIENT_EVENTS: dict[str, type[WireModel]] = {
    cls.model_fields["type"].default: cls for cls in CLIENT_EVENT_TYPES
}
"""Every modelled client event class by its ``type``."""


class UnknownServerEvent(WireModel):
    """A server event whose ``type`` this version does not model.

    Decoding never fails on a new event type: its fields are kept as attributes and
    the frame's object as ``raw``.
    """

    type: str
    event_id: str | None = None
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        """The frame's JSON object as received."""
        return self._raw


def decode_server_event(data: str | bytes | bytearray) -> ServerEvent | UnknownServerEvent:
    """Decode one server frame into its typed event.

    An unknown ``type`` gives an ``UnknownServerEvent``; a frame that is not JSON,
    not an object, has no ``type``, or breaks a known event's schema raises
    ``ProtocolError`` saying which event and what was wrong.
    """
    try:
        # One pass in pydantic-core: parsing and validation together beat json.loads alone.
        event: ServerEvent = _SERVER.validate_json(data)
        return event
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    return _decode_slow(data, errors)


class Decoded(NamedTuple):
    """A frame decoded leniently: the event, and the fields left out to make it readable.
    (A named tuple: made once per frame, on the hot path.)"""

    event: ServerEvent | UnknownServerEvent
    dropped: tuple[str, ...] = ()
    """Wire paths (``response.output[0].content[1]``) of values that broke the schema."""


def decode_server_frame(data: str | bytes | bytearray) -> Decoded:
    """Decode a frame as a client must to keep going: like ``decode_server_event``, but a
    frame of a known type that breaks its schema somewhere (a newer or odd server shape) is
    still decoded, with the offending values left out and named in ``dropped``. Only a frame
    that cannot be read at all (not JSON, no ``type``, a required field unusable) raises
    ``ProtocolError``."""
    # What a failed validation leaves is kept as its list of errors, never as the exception:
    # a local holding an exception whose traceback holds this frame is a reference cycle,
    # and it would keep the frame (megabytes, for a large one) alive until a full collection.
    try:
        return Decoded(_SERVER.validate_json(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)
    obj = _load(data)
    if obj.get("type") not in SERVER_EVENTS:
        return Decoded(_decode_slow(data, first, obj))
    dropped: list[str] = []
    errors = first
    for _ in range(_REPAIR_ROUNDS):
        for path in _prune(obj, errors):
            dropped.append(path)
        try:
            return Decoded(_SERVER.validate_python(obj), tuple(dropped))
        except ValidationError as again:
            errors = again.errors(include_url=False)
        except RecursionError:
            break
    return Decoded(_decode_slow(data, first, obj))


_REPAIR_ROUNDS = 4


def _prune(obj: dict[str, Any], errors: list[Any]) -> list[str]:
    """Delete each value an error points at (or the object missing a required field) and
    return their wire paths. Union tags in pydantic's locations have no place in the JSON,
    so steps that do not exist in the object are skipped."""
    targets: dict[tuple[Any, ...], None] = {}
    for err in errors:
        steps: list[Any] = []
        node: Any = obj
        for part in err["loc"]:
            if isinstance(node, dict):
                found = isinstance(part, str) and part in node
            else:
                found = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if found:
                steps.append(part)
                node = node[part]
        if err["type"] == "missing" and steps:
            steps.pop()  # the object lacks a required field: it is the object that goes
        if steps:
            targets[tuple(steps)] = None
    paths = []
    # Deepest and last first, so that removing list elements does not shift the others.
    for target in sorted(
        targets, key=lambda t: [(0, s) if isinstance(s, int) else (1, s) for s in t], reverse=True
    ):
        parent: Any = obj
        for step in target[:-1]:
            parent = parent[step]
        try:
            del parent[target[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        paths.append(_join(target))
    return paths


def _join(steps: tuple[Any, ...]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _load(data: str | bytes | bytearray) -> dict[str, Any]:
    # Errors are raised outside the ``except``, with no context: a ``JSONDecodeError`` holds
    # the whole document.
    too_deep, not_json = False, None
    try:
        obj = json.loads(data)
    except RecursionError:
        too_deep = True
    except (ValueError, UnicodeDecodeError) as err:
        not_json = str(err)
    if too_deep:
        raise ProtocolError("frame is nested too deeply to read")
    if not_json is not None:
        raise ProtocolError(f"frame is not JSON: {not_json}", errors=[not_json])
    if not isinstance(obj, dict):
        raise ProtocolError(f"frame is a JSON {type(obj).__name__}, not an object")
    if not isinstance(obj.get("type"), str):
        raise ProtocolError("frame has no string 'type' field")
    return obj


def _decode_slow(
    data: str | bytes | bytearray, errors: list[Any], obj: dict[str, Any] | None = None
) -> UnknownServerEvent:
    obj = _load(data) if obj is None else obj
    kind = obj["type"]
    if kind not in SERVER_EVENTS:
        try:
            event = UnknownServerEvent.model_validate(obj)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        else:
            event._raw = obj
            return event
    lines = _error_lines(errors)
    # Raised outside the ``except``: the error carries no context, so nothing of the frame.
    raise ProtocolError(
        f"malformed {kind!r} event: " + "; ".join(lines), event_type=kind, errors=lines
    )


def _error_lines(errors: list[Any]) -> list[str]:
    return [
        f"{wire_path(err['loc'], event_union=True) or '(event)'}: {err['msg']}" for err in errors
    ]


def parse_client_event(data: str | bytes | bytearray | dict[str, Any]) -> Any:
    """Decode a client event (what a server receives). Raises ``ProtocolError`` if invalid."""
    try:
        if isinstance(data, dict):
            return _CLIENT.validate_python(data)
        return _CLIENT.validate_json(data)
    except ValidationError as exc:
        kind = data.get("type") if isinstance(data, dict) else None
        errors = exc.errors(include_url=False)
        lines = _error_lines(errors)
        param, _ = deepest_error(errors, event_union=True)
        missing = [e for e in errors if e["type"] in ("missing", "union_tag_not_found")]
        if missing and len(missing) == len(errors):
            # A missing field, or a missing tag of a union (``session.type``): named as the
            # real server names it.
            tag = missing[0]
            param = wire_path(tag["loc"], event_union=True)
            if tag["type"] == "union_tag_not_found":
                param += "." + str((tag.get("ctx") or {}).get("discriminator", "type")).strip("'")
        raise ProtocolError(
            "invalid client event: " + "; ".join(lines),
            event_type=kind,
            errors=lines,
            param=param,
            missing=bool(missing) and len(missing) == len(errors),
        ) from None


def encode_client_event(event: WireModel | dict[str, Any]) -> str:
    """Encode a client event as the JSON text of one frame.

    Fields left unset are left out, so the frame has exactly the shape the caller meant
    (``None`` that was set explicitly, such as ``turn_detection: null``, is kept). A dict
    is validated against the client event models first.
    """
    model: WireModel = _CLIENT.validate_python(event) if isinstance(event, dict) else event
    return model.model_dump_json(exclude_unset=True)


def encode_server_event(event: WireModel) -> str:
    """Encode a server event as the JSON text of one frame (used by the emulator)."""
    return event.model_dump_json(exclude_unset=True)

"""Decode server frames into typed events and encode client events into frames."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Annotated, Any, NamedTuple, Union, cast

from pydantic import BaseModel, Field, PrivateAttr, TypeAdapter, ValidationError

from ..errors import ProtocolError
from ._base import WireModel, json_string, wire_json
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


Frame = Union[str, bytes, bytearray, Mapping[str, Any]]
"""A frame's JSON text, or its object already parsed (an event nested in another)."""


class UnknownEvent(WireModel):
    """An event whose ``type`` this version does not model.

    Decoding never fails on a new event type: its fields are kept as attributes and
    the frame's object as ``raw``.
    """

    type: str
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        """The frame's JSON object as received."""
        return self._raw


class UnknownServerEvent(UnknownEvent):
    """A server event whose ``type`` this version does not model (of either protocol)."""

    event_id: str | None = None


class FrameDecoder:
    """The slow paths of decoding one protocol's server frames, shared by its codecs: what a
    frame that failed validation is (an unknown event, or a ``ProtocolError`` naming the event
    and the wire paths), and the lenient repair that leaves out the values that broke it.

    The fast path (one validation in pydantic-core) stays with each codec, which calls these
    only with the errors of that first attempt.
    """

    def __init__(
        self,
        adapter: TypeAdapter[Any],
        events: Mapping[str, type[WireModel]],
        *,
        unknown: type[UnknownEvent] = UnknownServerEvent,
        paths: Mapping[str, type[BaseModel]] | None = None,
    ) -> None:
        self.adapter = adapter
        self.events = events
        self.unknown = unknown
        self.paths = paths  # the classes wire paths follow (``None``: the Realtime ones)

    def failed(
        self, data: Frame, errors: list[Any], obj: dict[str, Any] | None = None
    ) -> UnknownEvent:
        """The unknown event a frame of an unmodelled type is; for a known type (or no
        readable type), raises ``ProtocolError`` with ``errors``' wire paths."""
        obj = load_frame(data) if obj is None else obj
        kind = obj["type"]
        if kind not in self.events:
            try:
                event = self.unknown.model_validate(obj)
            except ValidationError as exc:
                errors = exc.errors(include_url=False)
            else:
                event._raw = obj
                return event
        lines = _error_lines(errors, self.paths)
        # Raised outside the ``except``: the error carries no context, so nothing of the frame.
        raise ProtocolError(
            f"malformed {kind!r} event: " + "; ".join(lines), event_type=kind, errors=lines
        )

    def repair(self, data: Frame, first: list[Any]) -> tuple[Any, tuple[str, ...]]:
        """The event a frame that failed validation with ``first`` still holds, and the wire
        paths of the values left out to read it; ``ProtocolError`` if it cannot be read."""
        obj = load_frame(data)
        if obj.get("type") not in self.events:
            return self.failed(data, first, obj), ()
        dropped: list[str] = []
        errors = first
        for _ in range(_REPAIR_ROUNDS):
            for path in _prune(obj, errors):
                dropped.append(path)
            try:
                return self.adapter.validate_python(obj), tuple(dropped)
            except ValidationError as again:
                errors = again.errors(include_url=False)
            except RecursionError:
                break
        return self.failed(data, first, obj), ()


_FRAMES = FrameDecoder(_SERVER, SERVER_EVENTS)

validate_server_frame = _SERVER.validator.validate_json
"""The fast path of ``decode_server_frame``, for a session's every frame: the typed event of
a frame that fits its schema (one native call: parsing and validation together beat
``json.loads`` alone), or pydantic's ``ValidationError`` (then decode it leniently with
``decode_server_frame``, which says what it left out)."""


def decode_server_event(data: str | bytes | bytearray) -> ServerEvent | UnknownServerEvent:
    """Decode one server frame into its typed event.

    An unknown ``type`` gives an ``UnknownServerEvent``; a frame that is not JSON,
    not an object, has no ``type``, or breaks a known event's schema raises
    ``ProtocolError`` saying which event and what was wrong.
    """
    try:
        event: ServerEvent = validate_server_frame(data)
        return event
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    return cast(UnknownServerEvent, _FRAMES.failed(data, errors))


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
        return Decoded(validate_server_frame(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)
    return Decoded(*_FRAMES.repair(data, first))


_REPAIR_ROUNDS = 4


def _prune(obj: dict[str, Any], errors: list[Any]) -> list[str]:
    """Delete each value an error points at (or the object missing a required field) and
    return their wire paths. Union tags in pydantic's locations have no place in the JSON,
    so steps that do not exist in the object are skipped."""
    targets: dict[tuple[Any, ...], None] = {}
    filled: list[str] = []
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
        # The event's own id: at the top, or under the union's tag (which the walk would
        # take for a field of the same name: the ``error`` of an ``error`` event).
        if err["type"] == "missing" and tuple(err["loc"]) in (
            ("event_id",),
            (obj.get("type"), "event_id"),
        ):
            obj["event_id"] = ""  # it only names the event: what the event says still goes
            filled.append("event_id")
            continue
        disarmed = _disarm(obj, steps, err["loc"][-1] if err["loc"] else None)
        if disarmed is not None:
            filled.append(disarmed)
            continue
        # A missing field is not in the frame, so the walk stops at the object that lacks
        # it: that object is what goes, not its parent.
        if steps:
            targets[tuple(steps)] = None
    paths = filled
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


# Items the server waits for an answer to, by the field that answer names them by; and what
# each becomes when a field the session needs is broken: never runnable, always denied.
_ANSWERED = {"mcp_approval_request": "id", "function_call": "call_id"}
_DISARMED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # Arguments that are not JSON cannot be checked: the request is denied, whatever the
    # policy says (empty text would read as ``{}``).
    "mcp_approval_request": ("arguments", "(unreadable)", ("name", "server_label")),
    # No tool has the empty name: the call is answered with an error, and nothing runs.
    "function_call": ("name", "", ("arguments",)),
}
"""For each kind: the field always set, to what, and the fields emptied when broken."""


def _disarm(obj: dict[str, Any], steps: list[Any], field: Any) -> str | None:
    """A call item with a broken field is kept, not left out (the server waits for its
    answer), but made safe: the fields the session acts on are set so that it can only be
    answered with a deny or an error. The broken field's wire path, or ``None`` when the
    error is not in such an item's field (or the item has no id to answer by)."""
    node: Any = obj
    for depth, step in enumerate([None, *steps]):
        if step is not None:
            node = node[step]
        kind = node.get("type") if isinstance(node, dict) else None
        if (
            isinstance(kind, str)
            and kind in _ANSWERED
            and isinstance(node.get(_ANSWERED[kind]), str)
        ):
            rest = steps[depth:]
            name = rest[0] if rest else field
            always, value, when_broken = _DISARMED[kind]
            if (name != always and name not in when_broken) or len(rest) > 1:
                return None
            node[always] = value
            for key in when_broken:
                if not isinstance(node.get(key), str):
                    node[key] = ""
            return _join((*steps[:depth], name))
    return None


def _join(steps: tuple[Any, ...]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def load_frame(data: Frame) -> dict[str, Any]:
    """The object of a frame, with a string ``type``, else ``ProtocolError``. An object given
    already parsed is copied: what decoding leaves out must not change the caller's."""
    # Errors are raised outside the ``except``, with no context: a ``JSONDecodeError`` holds
    # the whole document.
    too_deep, not_json = False, None
    try:
        obj = copy.deepcopy(dict(data)) if isinstance(data, Mapping) else json.loads(data)
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


def _error_lines(
    errors: list[Any], events: Mapping[str, type[BaseModel]] | None = None
) -> list[str]:
    return [
        f"{wire_path(err['loc'], event_union=True, events=events) or '(event)'}: {err['msg']}"
        for err in errors
    ]


def client_event_error(
    errors: list[Any], kind: Any, events: Mapping[str, type[BaseModel]] | None = None
) -> ProtocolError:
    """The ``ProtocolError`` a server answers an invalid client event with: every error's wire
    path, and the ``param`` to name (the missing field, or the deepest wrong one). ``events``
    are the client events' classes by type (the Realtime ones when not given)."""
    lines = _error_lines(errors, events)
    param, _ = deepest_error(errors, event_union=True, events=events)
    missing = [e for e in errors if e["type"] in ("missing", "union_tag_not_found")]
    if missing and len(missing) == len(errors):
        # A missing field, or a missing tag of a union (``session.type``): named as the
        # real server names it.
        tag = missing[0]
        param = wire_path(tag["loc"], event_union=True, events=events)
        if tag["type"] == "union_tag_not_found":
            param += "." + str((tag.get("ctx") or {}).get("discriminator", "type")).strip("'")
    return ProtocolError(
        "invalid client event: " + "; ".join(lines),
        event_type=kind,
        errors=lines,
        param=param,
        missing=bool(missing) and len(missing) == len(errors),
    )


def parse_client_event(data: str | bytes | bytearray | dict[str, Any]) -> Any:
    """Decode a client event (what a server receives). Raises ``ProtocolError`` if invalid."""
    try:
        if isinstance(data, dict):
            return _CLIENT.validate_python(data)
        return _CLIENT.validate_json(data)
    except ValidationError as exc:
        kind = data.get("type") if isinstance(data, dict) else None
        raise client_event_error(exc.errors(include_url=False), kind) from None


def encode_client_event(event: WireModel | dict[str, Any]) -> str:
    """Encode a client event as the JSON text of one frame.

    Fields left unset are left out, so the frame has exactly the shape the caller meant
    (``None`` that was set explicitly, such as ``turn_detection: null``, is kept). A dict
    is validated against the client event models first (``ProtocolError`` naming the
    ``param`` at fault, never the values: a tool's ``authorization``, say).
    """
    model: WireModel = parse_client_event(event) if isinstance(event, dict) else event
    return wire_json(model)


def encode_function_output(event_id: str, item_id: str, call_id: str, output: str) -> str:
    """The frame ``encode_client_event`` makes of a ``conversation.item.create`` holding a
    ``FunctionCallOutput`` (with these fields), built directly: it is on the path from a
    call's result to the server, where the model and its encoding cost five times as much.
    """
    return (
        f'{{"type":"conversation.item.create","event_id":{json_string(event_id)},'
        f'"item":{encode_function_output_item(item_id, call_id, output)}}}'
    )


def encode_function_output_item(item_id: str, call_id: str, output: str) -> str:
    """The JSON ``wire_json`` makes of ``FunctionCallOutput(id=item_id, call_id=call_id,
    output=output)``, built directly (see ``encode_function_output``)."""
    return (
        f'{{"id":{json_string(item_id)},"type":"function_call_output",'
        f'"call_id":{json_string(call_id)},"output":{json_string(output)}}}'
    )


def encode_function_call_item(item_id: str, call_id: str, name: str, arguments: str) -> str:
    """The JSON ``wire_json`` makes of ``FunctionCall(id=item_id, call_id=call_id, name=name,
    arguments=arguments)``, built directly (see ``encode_function_output``): the fields in
    the model's order."""
    return (
        f'{{"id":{json_string(item_id)},"type":"function_call","name":{json_string(name)},'
        f'"arguments":{json_string(arguments)},"call_id":{json_string(call_id)}}}'
    )


def encode_response_create(event_id: str) -> str:
    """The frame of a ``response.create`` with no parameters, built directly (see
    ``encode_function_output``): how a batch of outputs asks for its answer."""
    return f'{{"type":"response.create","event_id":{json_string(event_id)}}}'


def encode_server_event(event: WireModel) -> str:
    """Encode a server event as the JSON text of one frame (used by the emulator)."""
    return wire_json(event)

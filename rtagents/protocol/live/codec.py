"""Decode Live server frames into typed events and encode client events into frames, as the
Realtime codec does (the same lenient decoding, unknown events and errors); and read the
Responses event a ``response.event`` wraps, and ``live.*`` webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, NamedTuple, cast

from pydantic import Field, TypeAdapter, ValidationError

from .._base import WireModel, json_string, wire_json
from ..codec import (
    Frame,
    FrameDecoder,
    UnknownServerEvent,
    client_event_error,
    encode_response_create,
    load_frame,
)
from .client_events import CLIENT_EVENT_TYPES, ClientEvent
from .responses import RESPONSES_EVENT_TYPES, ResponsesStreamEvent, UnknownResponsesEvent
from .server_events import SERVER_EVENT_TYPES, ResponseEvent, ServerEvent
from .webhooks import WEBHOOK_EVENT_TYPES, LiveWebhookEvent

_SERVER = TypeAdapter[Any](Annotated[ServerEvent, Field(discriminator="type")])
_CLIENT = TypeAdapter[Any](ClientEvent)
_RESPONSES = TypeAdapter[Any](Annotated[ResponsesStreamEvent, Field(discriminator="type")])
_WEBHOOKS = TypeAdapter[Any](LiveWebhookEvent)

# The fast paths call pydantic-core's validators directly (the adapters' wrappers only pass
# their defaults on): one native call per frame.
validate_live_server_frame = _SERVER.validator.validate_json
"""The fast path of ``decode_live_server_frame``, for a session's every frame: the typed event
of a frame that fits its schema, or pydantic's ``ValidationError`` (then decode it leniently
with ``decode_live_server_frame``, which says what it left out)."""
_read_inner = _RESPONSES.validator.validate_python


def _by_type(classes: tuple[type[WireModel], ...]) -> dict[str, type[WireModel]]:
    return {cls.model_fields["type"].default: cls for cls in classes}


SERVER_EVENTS = _by_type(SERVER_EVENT_TYPES)
"""Every Live server event class by its ``type``."""

CLIENT_EVENTS = _by_type(CLIENT_EVENT_TYPES)
"""Every Live client event class by its ``type``."""

RESPONSES_EVENTS = _by_type(RESPONSES_EVENT_TYPES)
"""Every typed Responses event class (inside ``response.event``) by its ``type``."""

WEBHOOK_EVENTS = _by_type(WEBHOOK_EVENT_TYPES)
"""Every ``live.*`` webhook event class by its ``type``."""

# Client and server share two types (``session.input_audio.append``, ``transport.dtmf.send``)
# with different shapes: each direction's wire paths follow its own classes.
_FRAMES = FrameDecoder(_SERVER, SERVER_EVENTS, paths=SERVER_EVENTS)
_INNER = FrameDecoder(
    _RESPONSES, RESPONSES_EVENTS, unknown=UnknownResponsesEvent, paths=RESPONSES_EVENTS
)
_HOOKS = FrameDecoder(_WEBHOOKS, WEBHOOK_EVENTS, paths=WEBHOOK_EVENTS)


class Decoded(NamedTuple):
    """A Live frame decoded leniently: the event, and the fields left out to read it."""

    event: ServerEvent | UnknownServerEvent
    dropped: tuple[str, ...] = ()
    """Wire paths (``session.delegation.responses.tools[1]``) of values that broke the
    schema."""


class DecodedResponseEvent(NamedTuple):
    """The Responses event of a ``response.event``, decoded leniently, and the fields left
    out to read it."""

    event: ResponsesStreamEvent | UnknownResponsesEvent
    dropped: tuple[str, ...] = ()


def decode_live_server_event(data: str | bytes | bytearray) -> ServerEvent | UnknownServerEvent:
    """Decode one Live server frame into its typed event.

    An unknown ``type`` gives an ``UnknownServerEvent``; a frame that is not JSON, not an
    object, has no ``type``, or breaks a known event's schema raises ``ProtocolError`` saying
    which event and what was wrong.
    """
    try:
        event: ServerEvent = validate_live_server_frame(data)
        return event
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    return cast(UnknownServerEvent, _FRAMES.failed(data, errors))


def decode_live_server_frame(data: str | bytes | bytearray) -> Decoded:
    """Decode a Live frame as a client must to keep going: a frame of a known type that
    breaks its schema somewhere is still decoded, the offending values left out and named in
    ``dropped``. Only a frame that cannot be read at all raises ``ProtocolError``."""
    try:
        return Decoded(validate_live_server_frame(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)
    return Decoded(*_FRAMES.repair(data, first))


def decode_response_event(event: ResponseEvent | Frame) -> DecodedResponseEvent:
    """Decode the Responses event a ``response.event`` wraps (given that event, its
    ``event`` object, or JSON text), leniently as ``decode_live_server_frame`` does: an
    untyped kind gives an ``UnknownResponsesEvent``. The object given is never changed."""
    data: Frame = event.event if type(event) is ResponseEvent else _frame_of(event)
    try:
        if type(data) is dict or isinstance(data, Mapping):
            return DecodedResponseEvent(_read_inner(data))
        return DecodedResponseEvent(_RESPONSES.validate_json(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)
    except RecursionError:
        first = []  # nested past what validation follows: the slow path says so
    return DecodedResponseEvent(*_INNER.repair(data, first))


def _frame_of(event: ResponseEvent | Frame) -> Frame:
    return event.event if isinstance(event, ResponseEvent) else event


def parse_live_client_event(data: Frame) -> Any:
    """Decode a Live client event (what a server receives). Raises ``ProtocolError`` naming
    the ``param`` at fault, as the server does, if it is invalid."""
    try:
        if isinstance(data, Mapping):
            return _CLIENT.validate_python(data)
        return _CLIENT.validate_json(data)
    except ValidationError as exc:
        kind = data.get("type") if isinstance(data, Mapping) else None
        raise client_event_error(exc.errors(include_url=False), kind, CLIENT_EVENTS) from None


def encode_live_client_event(event: WireModel | Mapping[str, Any]) -> str:
    """Encode a Live client event (a model, or a dict validated first) as one frame's JSON.
    Fields left unset are left out; tags, and ``None`` set explicitly, are kept."""
    model: WireModel = parse_live_client_event(event) if isinstance(event, Mapping) else event
    return wire_json(model)


def encode_live_function_output(event_id: str, call_id: str, output: str) -> str:
    """The frame ``encode_live_client_event`` makes of a ``response.item.create`` holding a
    ``FunctionCallOutput`` (with these fields), built directly, as the Realtime API's
    ``encode_function_output`` is: it is on the path from a call's result to the server."""
    return (
        f'{{"type":"response.item.create","event_id":{json_string(event_id)},'
        f'"item":{{"type":"function_call_output","call_id":{json_string(call_id)},'
        f'"output":{json_string(output)}}}}}'
    )


encode_live_response_create = encode_response_create
"""The frame of a Live ``response.create``, built directly (how a delegated batch of
outputs asks for its answer): the same frame as the Realtime API's."""


def encode_live_server_event(event: WireModel) -> str:
    """Encode a Live server event as one frame's JSON (used by the emulator)."""
    return wire_json(event)


def decode_live_webhook(data: Frame) -> LiveWebhookEvent | None:
    """Decode a webhook's body if it is a ``live.*`` event (``None`` for any other type).
    A body that is not a JSON object with a ``type``, or a ``live.*`` event that breaks its
    schema, raises ``ProtocolError``. Verify the signature before."""
    obj = load_frame(data)
    if obj["type"] not in WEBHOOK_EVENTS:
        return None
    try:
        webhook: LiveWebhookEvent = _WEBHOOKS.validate_python(obj)
        return webhook
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    _HOOKS.failed(obj, errors, obj)  # raises: the type is known
    return None


__all__ = [
    "CLIENT_EVENTS",
    "RESPONSES_EVENTS",
    "SERVER_EVENTS",
    "WEBHOOK_EVENTS",
    "Decoded",
    "DecodedResponseEvent",
    "decode_live_server_event",
    "decode_live_server_frame",
    "decode_live_webhook",
    "decode_response_event",
    "encode_live_client_event",
    "encode_live_function_output",
    "encode_live_response_create",
    "encode_live_server_event",
    "parse_live_client_event",
]

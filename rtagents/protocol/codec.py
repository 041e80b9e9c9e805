"""Decode server frames into typed events and encode client events into frames."""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

from pydantic import Field, PrivateAttr, TypeAdapter, ValidationError

from ..errors import ProtocolError
from ._base import WireModel
from ._paths import deepest_error, wire_path
from .client_events import CLIENT_EVENT_TYPES, ClientEvent
from .server_events import SERVER_EVENT_TYPES

ServerEvent = Annotated[Union[SERVER_EVENT_TYPES], Field(discriminator="type")]  # type: ignore[valid-type]
"""Any of the 45 server events of the spec, discriminated by ``type``."""

_SERVER = TypeAdapter[Any](ServerEvent)
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
    the frame's object as :attr:`raw`.
    """

    type: str
    event_id: str | None = None
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        """The frame's JSON object as received."""
        return self._raw


def decode_server_event(data: str | bytes | bytearray) -> Any:
    """Decode one server frame into its typed event.

    An unknown ``type`` gives an :class:`UnknownServerEvent`; a frame that is not JSON,
    not an object, has no ``type``, or breaks a known event's schema raises
    :class:`~rtagents.errors.ProtocolError` saying which event and what was wrong.
    """
    try:
        # One pass in pydantic-core: parsing and validation together beat json.loads alone.
        return _SERVER.validate_json(data)
    except ValidationError as exc:
        return _decode_slow(data, exc)


def _decode_slow(data: str | bytes | bytearray, exc: ValidationError) -> UnknownServerEvent:
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(f"frame is not JSON: {err}", errors=[str(err)]) from None
    if not isinstance(obj, dict):
        raise ProtocolError(f"frame is a JSON {type(obj).__name__}, not an object")
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("frame has no string 'type' field")
    if kind in SERVER_EVENTS:
        lines = _error_lines(exc)
        raise ProtocolError(
            f"malformed {kind!r} event: " + "; ".join(lines), event_type=kind, errors=lines
        ) from None
    try:
        event = UnknownServerEvent.model_validate(obj)
    except ValidationError as err:
        lines = _error_lines(err)
        raise ProtocolError(
            f"malformed {kind!r} event: " + "; ".join(lines), event_type=kind
        ) from None
    event._raw = obj
    return event


def _error_lines(exc: ValidationError) -> list[str]:
    return [
        f"{wire_path(err['loc'], event_union=True) or '(event)'}: {err['msg']}"
        for err in exc.errors(include_url=False)
    ]


def parse_client_event(data: str | bytes | bytearray | dict[str, Any]) -> Any:
    """Decode a client event (what a server receives). Raises ``ProtocolError`` if invalid."""
    try:
        if isinstance(data, dict):
            return _CLIENT.validate_python(data)
        return _CLIENT.validate_json(data)
    except ValidationError as exc:
        kind = data.get("type") if isinstance(data, dict) else None
        lines = _error_lines(exc)
        param, _ = deepest_error(exc.errors(include_url=False), event_union=True)
        raise ProtocolError(
            "invalid client event: " + "; ".join(lines), event_type=kind, errors=lines, param=param
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

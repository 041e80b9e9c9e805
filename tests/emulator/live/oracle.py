"""The openai SDK's GPT-Live types, as the judge of every frame the emulator sends or takes:
the Live client and server unions, and the Responses stream a ``response.event`` wraps."""

from __future__ import annotations

from typing import Any

from openai.types.live import ClientEvent, ServerEvent
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

CLIENT = TypeAdapter[Any](ClientEvent)
SERVER = TypeAdapter[Any](ServerEvent)
RESPONSES = TypeAdapter[Any](ResponseStreamEvent)


def check_server(event: dict[str, Any]) -> None:
    """A server frame the SDK accepts; a ``response.event``'s inner event too (the SDK
    types it as a plain dict: the Responses stream's own types judge it)."""
    SERVER.validate_python(event)
    if event["type"] == "response.event":
        RESPONSES.validate_python(event["event"])


def check_client(event: dict[str, Any]) -> None:
    CLIENT.validate_python(event)


def types(events: list[dict[str, Any]]) -> list[str]:
    """Event types, a ``response.event`` shown as ``response.event:<its event's type>``."""
    return [
        f"response.event:{e['event']['type']}" if e["type"] == "response.event" else e["type"]
        for e in events
    ]


def inner(events: list[dict[str, Any]], kind: str | None = None) -> list[dict[str, Any]]:
    """The Responses events the ``response.event``s carry (of ``kind`` when given)."""
    return [
        e["event"]
        for e in events
        if e["type"] == "response.event" and (kind is None or e["event"]["type"] == kind)
    ]

"""An ``error`` event without its ``event_id`` is told, its ``event_id`` as ``""``
(failures.md: "the event, without the values that could not be read (a missing ``event_id``
as ``""``)"), as every other event is. Before, ``codec._prune`` walked pydantic's location
``("error", "event_id")`` into the frame's own ``error`` field (the union's tag has that
name for this one event), and deleted the error's detail: the event was dropped whole, and a
refusal it carried was waited out."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from rtagents.protocol import decode_server_frame
from rtagents.protocol.live.codec import decode_live_server_frame
from tests.session.hostile import hostile_server

ERROR = {
    "type": "error",
    "error": {
        "type": "invalid_request_error",
        "code": "conversation_already_has_active_response",
        "message": "Conversation already has an active response in progress: resp_1.",
        "event_id": "evt_rt_9",
    },
}


def test_realtime_error_without_event_id_is_decoded() -> None:
    decoded = decode_server_frame(json.dumps(ERROR))  # raises ProtocolError today
    assert decoded.event.type == "error"
    assert decoded.event.event_id == ""
    assert decoded.event.error.code == "conversation_already_has_active_response"


def test_live_error_without_event_id_is_decoded() -> None:
    live = {
        "type": "error",
        "error": {"type": "invalid_request_error", "code": "x", "message": "m"},
    }
    decoded = decode_live_server_frame(json.dumps(live))  # raises ProtocolError today
    assert decoded.event.type == "error"
    assert decoded.event.event_id == ""


@pytest.mark.anyio
async def test_app_sees_the_error_event() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                # (a str: sent as it is, with no event_id)
                seen = [e.type for e in await server.told(session, json.dumps(ERROR))]
    assert "error" in seen, seen

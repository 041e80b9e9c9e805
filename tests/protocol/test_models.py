"""Every event of the spec is modelled, decodes, round-trips and matches the openai SDK."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openai.types.realtime import RealtimeClientEvent as OaClientEvent
from openai.types.realtime import RealtimeServerEvent as OaServerEvent
from pydantic import TypeAdapter

from rtagents import protocol as p

from .frames import CLIENT_FRAMES, EXTRA_ITEMS, SERVER_FRAMES
from .spec_types import CLIENT_TYPES, SERVER_TYPES

# A copy of the project's protocol reference (shared/spec), kept here so that the cross-check
# runs in any clone; test_the_spec_copy_is_current says when it falls behind.
SPEC = Path(__file__).with_name("data") / "realtime-protocol.d.ts"
SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "realtime-protocol.d.ts"
OA_SERVER = TypeAdapter(OaServerEvent)
OA_CLIENT = TypeAdapter(OaClientEvent)


def _union_types(union: str) -> list[str]:
    """Event types of one union in the spec: follow each member to its ``type`` literal."""
    text = SPEC.read_text()
    members = re.search(rf"export type {union} = ([^;]+);", text)
    assert members
    found = []
    for member in members.group(1).split("|"):
        name = member.strip().split(".")[-1]
        body = re.search(rf"interface {name} \{{(.*?)\n\}}", text, re.S)
        assert body, name
        found.append(re.search(r"\ntype: '([^']+)';", body.group(1)).group(1))  # type: ignore[union-attr]
    return found


def test_type_lists_match_the_spec() -> None:
    assert _union_types("RealtimeServerEvent") == SERVER_TYPES
    assert _union_types("RealtimeClientEvent") == CLIENT_TYPES


def test_every_spec_event_type_is_modelled() -> None:
    assert len(SERVER_TYPES) == 45 and len(CLIENT_TYPES) == 11
    # Beyond the spec: what the current API (and openai SDK) added since.
    newer = {"input_audio_buffer.dtmf_event_received"}
    assert set(p.SERVER_EVENTS) == set(SERVER_TYPES) | newer
    assert set(p.CLIENT_EVENTS) == set(CLIENT_TYPES)
    assert set(SERVER_FRAMES) == set(SERVER_TYPES)
    assert set(CLIENT_FRAMES) == set(CLIENT_TYPES)


@pytest.mark.parametrize("kind", SERVER_TYPES)
def test_server_event_decodes_round_trips_and_matches_openai(kind: str) -> None:
    frame = SERVER_FRAMES[kind]
    text = json.dumps(frame)
    event = p.decode_server_event(text)
    assert type(event) is p.SERVER_EVENTS[kind]
    assert event.type == kind
    assert json.loads(p.encode_server_event(event)) == frame
    assert p.decode_server_event(text.encode()) == event  # bytes frames too
    OA_SERVER.validate_python(frame)


@pytest.mark.parametrize("item", EXTRA_ITEMS, ids=lambda i: str(i["type"]))
def test_every_item_kind_round_trips(item: dict[str, object]) -> None:
    frame = {"type": "conversation.item.created", "event_id": "e", "item": item}
    event = p.decode_server_event(json.dumps(frame))
    assert json.loads(p.encode_server_event(event)) == frame
    OA_SERVER.validate_python(frame)


def test_items_decode_to_their_classes() -> None:
    kinds = {
        "message.system": p.SystemMessage,
        "message.user": p.UserMessage,
        "message.assistant": p.AssistantMessage,
    }
    for frame in SERVER_FRAMES.values():
        item = frame.get("item")
        if isinstance(item, dict) and item["type"] == "message":
            event = p.decode_server_event(json.dumps(frame))
            assert type(event.item) is kinds[f"message.{item['role']}"]
    call = p.decode_server_event(
        json.dumps({"type": "conversation.item.created", "event_id": "e", "item": EXTRA_ITEMS[1]})
    )
    assert isinstance(call.item, p.McpCall)
    assert isinstance(call.item.error, p.McpProtocolError)


@pytest.mark.parametrize("kind", CLIENT_TYPES)
def test_client_event_encodes_to_a_frame_openai_accepts(kind: str) -> None:
    frame = CLIENT_FRAMES[kind]
    model = p.CLIENT_EVENTS[kind].model_validate(frame)
    text = p.encode_client_event(model)
    assert json.loads(text) == frame
    OA_CLIENT.validate_json(text)
    assert p.encode_client_event(frame) == text  # a dict is validated and encoded the same way


def test_encoding_leaves_out_unset_fields_but_keeps_tags_and_explicit_nulls() -> None:
    event = p.ConversationItemCreate(
        item=p.UserMessage(content=[p.UserContent(type="input_text", text="hi")])
    )
    assert json.loads(p.encode_client_event(event)) == {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hi"}],
        },
    }
    update = p.SessionUpdate(
        session=p.SessionConfig(audio=p.AudioConfig(input=p.AudioInput(turn_detection=None)))
    )
    frame = json.loads(p.encode_client_event(update))
    assert frame == {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
    }
    OA_CLIENT.validate_python(frame)


def test_unknown_fields_are_kept() -> None:
    frame = {**SERVER_FRAMES["response.output_text.delta"], "new_field": {"x": 1}}
    event = p.decode_server_event(json.dumps(frame))
    assert event.model_extra == {"new_field": {"x": 1}}
    assert json.loads(p.encode_server_event(event)) == frame


def test_unknown_event_type_decodes_to_an_unknown_event() -> None:
    frame = {"type": "response.future_thing.delta", "event_id": "e9", "payload": [1, 2]}
    event = p.decode_server_event(json.dumps(frame))
    assert isinstance(event, p.UnknownServerEvent)
    assert event.type == "response.future_thing.delta"
    assert event.event_id == "e9"
    assert event.raw == frame


def test_unknown_item_type_is_kept_inside_a_known_event() -> None:
    frame = {
        "type": "conversation.item.created",
        "event_id": "e",
        "item": {"type": "hologram", "x": 1},
    }
    event = p.decode_server_event(json.dumps(frame))
    assert isinstance(event.item, p.UnknownItem)
    assert event.item.model_extra == {"x": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "JSON list, not an object"),
        ('"text"', "JSON str, not an object"),
        ("{}", "no string 'type'"),
        ('{"type": 7}', "no string 'type'"),
        (
            '{"type": "response.output_audio.delta", "event_id": "e"}',
            "malformed 'response.output_audio.delta' event: response_id: Field required",
        ),
        (
            '{"type": "response.done", "event_id": "e", "response": {"status": "melted"}}',
            "malformed 'response.done' event: response.status",
        ),
    ],
)
def test_malformed_frames_raise_protocol_error(data: str | bytes, message: str) -> None:
    with pytest.raises(p.ProtocolError, match=re.escape(message)):
        p.decode_server_event(data)


def test_protocol_error_names_the_event_type() -> None:
    with pytest.raises(p.ProtocolError) as info:
        p.decode_server_event('{"type": "error", "event_id": "e", "error": {}}')
    assert info.value.event_type == "error"
    assert any(line.startswith("error.message") for line in info.value.errors)


def test_session_config_constraints() -> None:
    with pytest.raises(ValueError, match="speed"):
        p.AudioOutput(speed=2.0)
    with pytest.raises(ValueError, match="threshold"):
        p.ServerVad(threshold=1.5)
    with pytest.raises(ValueError):
        p.SessionConfig(max_output_tokens=5000)
    assert p.SessionConfig(max_output_tokens="inf").max_output_tokens == "inf"


def test_secrets_are_not_in_reprs() -> None:
    tool = p.McpToolDefinition(
        server_label="x",
        server_url="https://x",
        authorization="sk-secret",
        headers={"X-Key": "hush"},
    )
    assert "sk-secret" not in repr(tool) and "hush" not in repr(tool)


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no shared/ beside this checkout")
def test_the_spec_copy_is_current() -> None:
    assert SPEC.read_bytes() == SHARED_SPEC.read_bytes(), (
        "copy shared/spec into tests/protocol/data"
    )

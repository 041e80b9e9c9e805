"""Decoding GPT-Live frames: lenient where a frame can still be read, a ``ProtocolError``
naming the event and the wire path where it cannot, and never anything else."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtagents import protocol as realtime
from rtagents.protocol import live

from .frames import SERVER_FRAMES

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def test_an_unknown_type_is_kept_with_its_raw_object() -> None:
    frame = {"type": "session.future_thing", "event_id": "e9", "payload": [1, 2]}
    event = live.decode_live_server_event(json.dumps(frame))
    assert isinstance(event, live.UnknownServerEvent)
    assert event.type == "session.future_thing"
    assert (event.event_id, event.raw) == ("e9", frame)
    decoded = live.decode_live_server_frame(json.dumps(frame))
    assert isinstance(decoded.event, live.UnknownServerEvent) and decoded.dropped == ()
    # One unknown-event class for both protocols: a session can test for either with one check.
    assert live.UnknownServerEvent is realtime.UnknownServerEvent


def test_unknown_fields_are_kept() -> None:
    frame = {**SERVER_FRAMES["session.output_transcript.delta"], "speaker": {"id": 2}}
    event = live.decode_live_server_event(json.dumps(frame))
    assert event.model_extra == {"speaker": {"id": 2}}
    assert json.loads(live.encode_live_server_event(event)) == frame


def test_a_bad_nested_value_is_left_out_and_named() -> None:
    frame = json.loads(json.dumps(SERVER_FRAMES["session.started"]))
    frame["session"]["store"] = "yes please"
    frame["session"]["audio"]["format"]["type"] = "audio/opus"
    decoded = live.decode_live_server_frame(json.dumps(frame))
    assert isinstance(decoded.event, live.SessionStarted)
    assert sorted(decoded.dropped) == ["session.audio.format", "session.store"]
    session = decoded.event.session
    assert (session.store, session.audio and session.audio.format) == (None, None)
    assert session.id == "live_123" and session.audio and session.audio.output
    # The strict decoder says what was wrong instead.
    with pytest.raises(
        live.ProtocolError, match=re.escape("malformed 'session.started' event: session.")
    ) as info:
        live.decode_live_server_event(json.dumps(frame))
    assert any(
        line.startswith("session.store: Input should be a valid boolean")
        for line in info.value.errors
    )


def test_a_bad_value_in_a_list_element_is_left_out() -> None:
    frame = json.loads(json.dumps(SERVER_FRAMES["decision.event"]))
    frame["event"]["decision"]["answers"][1]["name"] = 5
    decoded = live.decode_live_server_frame(json.dumps(frame))
    assert isinstance(decoded.event, live.DecisionEvent)
    assert decoded.dropped == ("event.decision.answers[1].name",)
    assert isinstance(decoded.event.event, live.DecisionCompleted)
    assert len(decoded.event.event.decision.answers) == 4


def test_an_unknown_decision_event_is_kept() -> None:
    frame = {**SERVER_FRAMES["decision.event"], "event": {"type": "decision.failed", "why": "x"}}
    event = live.decode_live_server_event(json.dumps(frame))
    assert isinstance(event, live.DecisionEvent)
    assert isinstance(event.event, live.UnknownDecisionEvent)
    assert event.event.model_extra == {"why": "x"}


def test_a_missing_required_field_leaves_out_only_its_object() -> None:
    frame = json.loads(json.dumps(SERVER_FRAMES["decision.event"]))
    del frame["event"]["decision"]["answers"][0]["probability"]
    decoded = live.decode_live_server_frame(json.dumps(frame))
    assert decoded.dropped == ("event.decision.answers[0]",)


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
            '{"type": "session.input_transcript.delta", "event_id": "e", "delta": "x"}',
            "malformed 'session.input_transcript.delta' event: start_ms: Field required",
        ),
        (
            '{"type": "session.delegation.created", "event_id": "e", "offset_ms": 1,'
            ' "delegation": {"type": "delegation", "target": "client"}}',
            "malformed 'session.delegation.created' event: delegation.id: Field required",
        ),
    ],
)
def test_unreadable_frames_raise_protocol_error(data: str | bytes, message: str) -> None:
    with pytest.raises(live.ProtocolError, match=re.escape(message)):
        live.decode_live_server_event(data)
    with pytest.raises(live.ProtocolError, match=re.escape(message.split(":")[0])):
        live.decode_live_server_frame(data)


def test_protocol_error_names_the_event_type() -> None:
    with pytest.raises(live.ProtocolError) as info:
        live.decode_live_server_event('{"type": "error", "event_id": "e", "error": {}}')
    assert info.value.event_type == "error"
    assert any(line.startswith("error.message") for line in info.value.errors)


@pytest.mark.parametrize("depth", [150, 600, 3000])
def test_a_deeply_nested_frame_does_not_crash(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    for text in (
        '{"type": "session.mystery", "x": ' + nested + "}",
        '{"type": "error", "event_id": "e", "x": ' + nested + "}",
        '{"type": "response.event", "event_id": "e", "event": {"type": "x", "y": ' + nested + "}}",
    ):
        for decode in (live.decode_live_server_event, live.decode_live_server_frame):
            with contextlib.suppress(live.ProtocolError):
                decode(text)
    frame = {"type": "response.output_item.done", "item": {"type": "message"}}
    inner: Any = frame["item"]
    for _ in range(depth):
        inner["content"] = [{"type": "output_text", "annotations": []}]
        inner = inner["content"][0]
    with contextlib.suppress(live.ProtocolError):
        live.decode_response_event(frame)


def test_a_client_event_that_breaks_its_schema_names_the_param() -> None:
    with pytest.raises(live.ProtocolError) as info:
        live.parse_live_client_event(
            {
                "type": "session.start",
                "session": {
                    "model": "gpt-live-1",
                    "delegation": {
                        "type": "responses",
                        "responses": {"model": "m", "tools": [{"type": "function"}]},
                    },
                },
            }
        )
    assert info.value.event_type == "session.start"
    assert info.value.param is not None and "tools[0].name" in info.value.param
    with pytest.raises(live.ProtocolError) as info:
        live.parse_live_client_event({"type": "session.thinking.append", "content": "x"})
    assert (info.value.param, info.value.missing) == ("delegation_id", True)
    with pytest.raises(live.ProtocolError, match="invalid client event"):
        live.parse_live_client_event('{"type": "session.teleport"}')
    with pytest.raises(live.ProtocolError, match=r"not JSON|invalid client event"):
        live.parse_live_client_event("{nope")


def test_the_realtime_codec_is_unchanged_by_sharing() -> None:
    # The machinery the Live codec reuses still reads Realtime frames as before.
    frame = {
        "type": "response.done",
        "event_id": "e",
        "response": {"id": "r", "status": "melted"},
    }
    decoded = realtime.decode_server_frame(json.dumps(frame))
    assert decoded.dropped == ("response.status",)
    unknown = realtime.decode_server_event('{"type": "x.y", "event_id": "e1"}')
    assert isinstance(unknown, realtime.UnknownServerEvent) and unknown.raw["event_id"] == "e1"


# -- properties ------------------------------------------------------------------------------


def _decode(data: str | bytes) -> None:
    for decode in (live.decode_live_server_event, live.decode_live_server_frame):
        with contextlib.suppress(live.ProtocolError):
            decode(data)


@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _decode(data)


@given(json_values)
def test_random_json(value: Any) -> None:
    _decode(json.dumps(value))


@given(kind=st.sampled_from(sorted(SERVER_FRAMES)), data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
def test_mutated_frames_decode_to_their_type_or_raise_protocol_error(
    kind: str, data: st.DataObject
) -> None:
    frame: dict[str, Any] = json.loads(json.dumps(SERVER_FRAMES[kind]))
    target = frame
    while True:  # reach into nested objects now and then
        nested = [k for k, v in target.items() if isinstance(v, dict)]
        if not nested or data.draw(st.booleans()):
            break
        target = target[data.draw(st.sampled_from(nested))]
    keys = sorted(k for k in target if target is not frame or k != "type")
    if keys:
        target[data.draw(st.sampled_from(keys))] = data.draw(json_values)
    try:
        decoded = live.decode_live_server_frame(json.dumps(frame))
    except live.ProtocolError:
        return
    assert decoded.event.type == kind

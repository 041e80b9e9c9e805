"""Whatever arrives on the wire, the decoder returns an event or raises ProtocolError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtagents import protocol as p

from .frames import SERVER_FRAMES

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
frames = st.sampled_from(sorted(SERVER_FRAMES))


def _decode(data: str | bytes) -> None:
    try:
        event = p.decode_server_event(data)
    except p.ProtocolError:
        return
    assert isinstance(event.type, str)


@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _decode(data)


@given(st.text(max_size=200))
def test_random_text(data: str) -> None:
    _decode(data)


@given(json_values)
def test_random_json(value: Any) -> None:
    _decode(json.dumps(value))


@given(kind=frames, data=st.data())
@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
def test_mutated_frames(kind: str, data: st.DataObject) -> None:
    frame: dict[str, Any] = json.loads(json.dumps(SERVER_FRAMES[kind]))
    for _ in range(data.draw(st.integers(1, 3))):
        target = frame
        # Walk into a nested object now and then, so mutations reach items and sessions.
        while True:
            nested = [k for k, v in target.items() if isinstance(v, dict)]
            if not nested or data.draw(st.booleans()):
                break
            target = target[data.draw(st.sampled_from(nested))]
        action = data.draw(st.sampled_from(["drop", "replace", "add"]))
        keys = sorted(target)
        if action == "drop" and keys:
            del target[data.draw(st.sampled_from(keys))]
        elif action == "replace" and keys:
            target[data.draw(st.sampled_from(keys))] = data.draw(json_values)
        else:
            target[data.draw(st.text(max_size=8))] = data.draw(json_values)
    _decode(json.dumps(frame))


@given(kind=frames, cut=st.integers(0, 400))
def test_truncated_frames(kind: str, cut: int) -> None:
    text = json.dumps(SERVER_FRAMES[kind])
    # A JSON object cut short is never JSON: both decoders must say so, never guess.
    with pytest.raises(p.ProtocolError, match="not JSON"):
        p.decode_server_event(text[: min(cut, len(text) - 1)])
    with pytest.raises(p.ProtocolError, match="not JSON"):
        p.decode_server_frame(text[: min(cut, len(text) - 1)])


@given(kind=frames, data=st.data())
def test_lenient_decoding_never_raises_on_a_readable_frame(kind: str, data: st.DataObject) -> None:
    """Whatever a field of a known event holds, the lenient decoder delivers an event of that
    type (or says the frame is unusable), and names every field it left out."""
    frame = dict(SERVER_FRAMES[kind])
    field = data.draw(
        st.sampled_from(sorted(k for k in frame if k not in ("type",)))
        if len(frame) > 1
        else st.just("type")
    )
    frame[field] = data.draw(json_values)
    try:
        decoded = p.decode_server_frame(json.dumps(frame))
    except p.ProtocolError:
        return
    assert decoded.event.type == frame["type"] or field == "type"


@given(kind=frames, type_value=json_values)
def test_wrong_type_values(kind: str, type_value: Any) -> None:
    _decode(json.dumps({**SERVER_FRAMES[kind], "type": type_value}))


def test_an_item_missing_a_required_field_is_left_out_alone() -> None:
    """The repair leaves out the object that lacks a required field, not its parent: a
    ``response.done`` whose first function call has no ``name`` (nor a call id to answer it
    by) keeps its other outputs."""
    call = {"type": "function_call", "id": "i1", "arguments": "{}"}
    kept = {**call, "id": "i2", "call_id": "c2", "name": "lookup"}
    frame = {
        "type": "response.done",
        "event_id": "e1",
        "response": {"id": "r1", "status": "completed", "output": [call, kept]},
    }
    decoded = p.decode_server_frame(json.dumps(frame))
    assert decoded.dropped == ("response.output[0]",)
    assert [item.call_id for item in decoded.event.response.output] == ["c2"]


def test_a_call_item_with_an_id_to_answer_by_is_kept_and_made_safe() -> None:
    """A function call missing its ``name`` is kept, with the empty name no tool has (it is
    answered with an error, never run); an approval request with broken arguments is kept
    with arguments that cannot be read (it is denied)."""
    call = {"type": "function_call", "id": "i1", "call_id": "c1", "arguments": "{}"}
    asks = {"type": "mcp_approval_request", "id": "a1", "server_label": "s", "name": "n"}
    frame = {
        "type": "response.done",
        "event_id": "e1",
        "response": {"id": "r1", "status": "completed", "output": [call, {**asks, "arguments": 1}]},
    }
    decoded = p.decode_server_frame(json.dumps(frame))
    assert decoded.dropped == ("response.output[0].name", "response.output[1].arguments")
    made_safe = decoded.event.response.output
    assert (made_safe[0].call_id, made_safe[0].name) == ("c1", "")
    assert (made_safe[1].id, made_safe[1].name, made_safe[1].arguments) == (
        "a1",
        "n",
        "(unreadable)",
    )

"""The Responses streaming events a ``response.event`` wraps decode to typed models; the ones
the framework does not act on are kept whole, never dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.responses import ResponseStreamEvent
from openai.types.responses.response_output_item import ResponseOutputItem
from pydantic import TypeAdapter

from rtagents.protocol import live

from .frames import OUTPUT_ITEMS, RESPONSES_FRAMES, SERVER_FRAMES

OA_EVENT = TypeAdapter(ResponseStreamEvent)
OA_ITEM = TypeAdapter(ResponseOutputItem)


def _wrapped(inner: dict[str, Any]) -> live.ResponseEvent:
    frame = {"type": "response.event", "event_id": "e1", "delegation_id": "del_1", "event": inner}
    event = live.decode_live_server_event(json.dumps(frame))
    assert isinstance(event, live.ResponseEvent)
    return event


def test_every_frame_kind_is_covered() -> None:
    assert set(RESPONSES_FRAMES) == set(live.RESPONSES_EVENTS)


@pytest.mark.parametrize("kind", sorted(RESPONSES_FRAMES))
def test_inner_event_decodes_round_trips_and_matches_the_sdk(kind: str) -> None:
    frame = RESPONSES_FRAMES[kind]
    decoded = live.decode_response_event(_wrapped(frame))
    assert decoded.dropped == ()
    assert type(decoded.event) is live.RESPONSES_EVENTS[kind]
    assert json.loads(decoded.event.model_dump_json(exclude_unset=True)) == frame
    OA_EVENT.validate_python(frame)
    # What the SDK's model serializes decodes the same way.
    sent = json.loads(OA_EVENT.validate_python(frame).to_json(exclude_unset=True))
    assert type(live.decode_response_event(sent).event) is live.RESPONSES_EVENTS[kind]


@pytest.mark.parametrize("item", OUTPUT_ITEMS, ids=lambda i: str(i["type"]))
def test_every_typed_output_item_round_trips(item: dict[str, Any]) -> None:
    frame = {
        "type": "response.output_item.done",
        "sequence_number": 1,
        "output_index": 0,
        "item": item,
    }
    decoded = live.decode_response_event(frame)
    assert isinstance(decoded.event, live.ResponseOutputItemDone)
    assert not isinstance(decoded.event.item, live.UnknownItem)
    assert json.loads(decoded.event.model_dump_json(exclude_unset=True)) == frame
    OA_ITEM.validate_python(item)


def test_a_function_call_is_read_from_the_wrapped_events() -> None:
    done = live.decode_response_event(_wrapped(RESPONSES_FRAMES["response.output_item.done"]))
    assert isinstance(done.event, live.ResponseOutputItemDone)
    call = done.event.item
    assert isinstance(call, live.FunctionCall)
    assert (call.call_id, call.name, call.arguments) == (
        "call_1",
        "get_weather",
        '{"city":"Paris"}',
    )
    args = live.decode_response_event(RESPONSES_FRAMES["response.function_call_arguments.done"])
    assert isinstance(args.event, live.ResponseFunctionCallArgumentsDone)
    assert (args.event.item_id, args.event.arguments) == ("fc_1", '{"city":"Paris"}')
    # The outer event's ``event`` stays the object received: decoding copies, never mutates.
    outer = _wrapped(RESPONSES_FRAMES["response.output_item.done"])
    before = json.dumps(outer.event)
    live.decode_response_event(outer)
    assert json.dumps(outer.event) == before


def test_an_mcp_approval_request_is_typed() -> None:
    frame = {
        "type": "response.output_item.done",
        "sequence_number": 3,
        "output_index": 1,
        "item": OUTPUT_ITEMS[2],
    }
    event = live.decode_response_event(json.dumps(frame)).event
    assert isinstance(event, live.ResponseOutputItemDone)
    assert isinstance(event.item, live.McpApprovalRequest)
    assert (event.item.id, event.item.server_label, event.item.name) == ("mcpr_1", "docs", "delete")


def test_terminal_snapshots_carry_status_error_and_usage() -> None:
    done = live.decode_response_event(RESPONSES_FRAMES["response.completed"]).event
    assert isinstance(done, live.ResponseCompleted)
    assert done.response.status == "completed" and done.response.usage is not None
    assert done.response.usage.total_tokens == 320
    assert [type(i) for i in done.response.output or []] == [live.FunctionCall, live.Message]
    assert done.response.model_extra is not None and done.response.model_extra["tools"] == []
    failed = live.decode_response_event(RESPONSES_FRAMES["response.failed"]).event
    assert isinstance(failed, live.ResponseFailed)
    assert failed.response.error is not None and failed.response.error.code == "server_error"
    cut = live.decode_response_event(RESPONSES_FRAMES["response.incomplete"]).event
    assert isinstance(cut, live.ResponseIncomplete)
    assert cut.response.incomplete_details is not None
    assert cut.response.incomplete_details.reason == "max_output_tokens"


def test_unknown_inner_events_and_items_are_kept() -> None:
    delta = {
        "type": "response.output_text.delta",
        "sequence_number": 9,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": "It is",
        "logprobs": [],
    }
    decoded = live.decode_response_event(_wrapped(delta))
    assert isinstance(decoded.event, live.UnknownResponsesEvent)
    assert decoded.event.type == "response.output_text.delta"
    assert decoded.event.raw == delta and decoded.event.sequence_number == 9
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": []}
    added = {
        "type": "response.output_item.added",
        "sequence_number": 2,
        "output_index": 0,
        "item": reasoning,
    }
    event = live.decode_response_event(added).event
    assert isinstance(event, live.ResponseOutputItemAdded)
    assert isinstance(event.item, live.UnknownItem) and event.item.type == "reasoning"
    assert json.loads(event.model_dump_json(exclude_unset=True)) == added


def test_a_bad_inner_value_is_left_out_and_named() -> None:
    frame = json.loads(json.dumps(RESPONSES_FRAMES["response.completed"]))
    frame["response"]["status"] = 7
    frame["response"]["output"][1]["status"] = "pondering"
    decoded = live.decode_response_event(frame)
    assert isinstance(decoded.event, live.ResponseCompleted)
    assert sorted(decoded.dropped) == ["response.output[1].status", "response.status"]
    assert decoded.event.response.id == "resp_1"
    assert decoded.event.response.usage is not None


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        ({}, "no string 'type'"),
        ({"type": ["x"]}, "no string 'type'"),
        (
            {"type": "response.function_call_arguments.done", "output_index": 0},
            "malformed 'response.function_call_arguments.done' event: item_id: Field required",
        ),
    ],
)
def test_unreadable_inner_events_raise_protocol_error(inner: dict[str, Any], message: str) -> None:
    with pytest.raises(live.ProtocolError, match=message):
        live.decode_response_event(inner)


def test_the_outer_event_is_read_even_when_the_inner_one_is_not() -> None:
    outer = _wrapped({"no": "type"})
    assert outer.delegation_id == "del_1"
    with pytest.raises(live.ProtocolError):
        live.decode_response_event(outer)
    assert SERVER_FRAMES["response.event"]["event"]["type"] == "response.output_item.done"

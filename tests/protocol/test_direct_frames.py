"""The frames built directly for the tool round trip (a call's output, the response that
answers it) are the frames the models encode to, whatever text they carry, on both APIs;
and the openai SDK reads them as the events they stand for."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st
from openai.types.realtime import RealtimeClientEvent
from pydantic import TypeAdapter

from rtagents import protocol as p
from rtagents.protocol import live as lp

# Any text a tool may return or a server may name a call: quotes, backslashes, control
# characters, text beyond the BMP, and lone surrogates (a file name os.fsdecode could not
# decode), which no frame can carry as they are.
texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
SDK = TypeAdapter[RealtimeClientEvent](RealtimeClientEvent)


@given(ref=texts, item_id=texts, call_id=texts, output=texts)
@example(ref="evt_1", item_id="out_1", call_id="call_\ud800", output='"caf\udce9"\n')
def test_a_realtime_output_is_the_frame_its_model_encodes_to(
    ref: str, item_id: str, call_id: str, output: str
) -> None:
    frame = p.encode_function_output(ref, item_id, call_id, output)
    item = p.FunctionCallOutput(id=item_id, call_id=call_id, output=output)
    model = p.encode_client_event(p.ConversationItemCreate(event_id=ref, item=item))
    assert json.loads(frame) == json.loads(model)
    frame.encode()  # it can be sent: UTF-8 carries all of it


@given(ref=texts)
def test_a_realtime_response_create_is_the_frame_its_model_encodes_to(ref: str) -> None:
    frame = p.encode_response_create(ref)
    assert json.loads(frame) == json.loads(p.encode_client_event(p.ResponseCreate(event_id=ref)))


@given(ref=texts, call_id=texts, output=texts)
@example(ref="evt_1", call_id="call_\ud800", output='"caf\udce9"\n')
def test_a_live_output_is_the_frame_its_model_encodes_to(
    ref: str, call_id: str, output: str
) -> None:
    frame = lp.encode_live_function_output(ref, call_id, output)
    item = lp.FunctionCallOutput(call_id=call_id, output=output)
    model = lp.encode_live_client_event(lp.ResponseItemCreate(event_id=ref, item=item))
    assert json.loads(frame) == json.loads(model)
    frame.encode()


@given(ref=texts)
def test_a_live_response_create_is_the_frame_its_model_encodes_to(ref: str) -> None:
    frame = lp.encode_live_response_create(ref)
    model = lp.encode_live_client_event(lp.ResponseCreate(event_id=ref))
    assert json.loads(frame) == json.loads(model)


def test_a_lone_surrogate_goes_as_the_replacement_character() -> None:
    frame = p.encode_function_output("evt_1", "out_1", "call_1", "caf\udce9 \U0001f600")
    assert json.loads(frame)["item"]["output"] == "caf\ufffd \U0001f600"


def test_the_openai_sdk_reads_the_realtime_frames() -> None:
    output = SDK.validate_json(p.encode_function_output("evt_1", "out_1", "call_1", '{"a": 1}'))
    assert output.type == "conversation.item.create"
    assert output.item.type == "function_call_output"
    assert (output.item.call_id, output.item.output) == ("call_1", '{"a": 1}')
    create = SDK.validate_json(p.encode_response_create("evt_2"))
    assert (create.type, create.event_id) == ("response.create", "evt_2")

"""A Responses stream event the openai SDK accepts is read without loss inside a
``response.event``.

The SDK's ``ResponseFunctionToolCallOutputItem`` (an output item of a response: a
``function_call_output`` made by the server, ``caller: {"type": "program"}``) has
``call_id: Optional[str] = None``. Ours types a ``function_call_output`` item with a required
``call_id``, so ``response.output_item.added``/``.done`` carrying such an item is a
``ProtocolError`` ("item.call_id: Field required") and the session drops the event with a
``session.warning`` ("inner event ignored")."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.responses import ResponseStreamEvent
from pydantic import TypeAdapter

from rtagents.errors import ProtocolError
from rtagents.protocol import live as lp

SDK = TypeAdapter[Any](ResponseStreamEvent)


@pytest.mark.parametrize("kind", ["response.output_item.added", "response.output_item.done"])
def test_a_server_made_function_call_output_item_is_read(kind: str) -> None:
    item = {
        "type": "function_call_output",
        "id": "fco_1",
        "output": "42",
        "status": "completed",
        "caller": {"type": "program", "caller_id": "prog_1"},
    }
    event = {"type": kind, "item": item, "output_index": 1, "sequence_number": 7}
    SDK.validate_python(event)  # the SDK's types take it
    try:
        decoded = lp.decode_response_event(event)
    except ProtocolError as exc:
        pytest.fail(f"a frame the SDK accepts is refused: {exc}")
    assert decoded.dropped == ()
    assert decoded.event.item.type == "function_call_output"

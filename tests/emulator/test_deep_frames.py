"""A deeply nested client frame makes the emulator answer ``server_error`` (an internal
failure: "maximum recursion depth exceeded", "Maximum serialization depth exceeded",
"Circular reference detected") instead of refusing the client's frame.

The frame is the client's mistake, so the answer is an ``invalid_request_error`` (as
``read_frame`` gives for any other frame that cannot be read: ``invalid_json``), never a
``server_error``, which tells a client the server failed and invites a retry of the same frame.
``read_frame`` (emulator/errors.py) catches only ``ValueError``/``UnicodeDecodeError`` from
``json.loads``, not ``RecursionError``; and a frame that parses but is nested past pydantic's
serialization depth fails later in ``handlers._wire``.
"""

from __future__ import annotations

import pytest

from tests.emulator.sansio import Core

DEEP_ARRAY = "[" * 200_000 + "]" * 200_000
DEEP_900 = "[" * 900 + "]" * 900


@pytest.mark.parametrize(
    "frame",
    [
        '{"type":"session.update","event_id":"d1","session":{"type":"realtime","x":'
        + DEEP_ARRAY
        + "}}",
        '{"type":"conversation.item.create","event_id":"d1","item":{"type":"message",'
        '"role":"user","content":[{"type":"input_text","text":"x","x":' + DEEP_900 + "}]}}",
    ],
    ids=["too-deep-for-json", "too-deep-to-serialize"],
)
def test_deeply_nested_client_frame_is_a_client_error(frame: str) -> None:
    core = Core()
    events = core.send(frame)
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert len(errors) == 1, events
    assert errors[0]["type"] == "invalid_request_error", errors[0]
    assert errors[0]["event_id"] == "d1" or errors[0]["code"] == "invalid_json", errors[0]

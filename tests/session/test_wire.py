"""The session core owns the wire, sans I/O: frames in, actions out. No sockets, no clocks."""

from __future__ import annotations

import json
from typing import Any

from rtagents import protocol as p
from rtagents.session.actions import Emit, Resolve, Send, StartCall
from rtagents.session.realtime import RealtimeCore


def core() -> RealtimeCore:
    return RealtimeCore(lambda name, response_id: None)


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "event_id": "e", **fields})


def emitted(actions: list[Any]) -> list[str]:
    return [a.event.type for a in actions if isinstance(a, Emit)]


def test_a_frame_is_delivered_with_its_size_then_acted_on() -> None:
    c = core()
    data = frame(
        "response.function_call_arguments.done",
        response_id="r",
        item_id="i",
        output_index=0,
        call_id="c1",
        name="t",
        arguments="{}",
    )
    actions = c.receive_frame(data)
    assert isinstance(actions[0], Emit) and actions[0].size == len(data)
    assert isinstance(actions[1], StartCall) and actions[1].call_id == "c1"


def test_what_cannot_be_read_is_a_warning_never_an_exception() -> None:
    c = core()
    for bad in [
        "{",
        "[]",
        '{"no": "type"}',
        '{"type": "x.y"}',
        '{"type": "error", "e": ' + "[" * 3000 + "]" * 3000 + "}",
    ]:
        actions = c.receive_frame(bad)
        assert emitted(actions) == ["session.warning"], bad
        assert len(json.dumps(actions[0].event.detail)) < 600  # the frame is clipped


def test_a_frame_that_breaks_its_schema_in_places_is_still_delivered() -> None:
    c = core()
    data = frame("response.done", response={"id": "r", "status": "odd", "output": []})
    actions = c.receive_frame(data)
    assert emitted(actions) == ["session.warning", "response.done"]
    assert actions[0].event.detail["fields"] == ["response.status"]


def test_requests_are_correlated_by_reply_type_or_by_the_error_naming_them() -> None:
    c = core()
    event_id, actions = c.update_session(p.SessionConfig(type="realtime", instructions="hi"))
    assert isinstance(actions[0], Send) and actions[0].event.event_id == event_id
    assert not any(
        isinstance(a, Resolve)
        for a in c.receive_frame(frame("rate_limits.updated", rate_limits=[]))
    )
    [resolve] = [
        a
        for a in c.receive_frame(
            frame("session.updated", session={"type": "realtime", "instructions": "hi"})
        )
        if isinstance(a, Resolve)
    ]
    assert resolve.event_id == event_id and c.config["instructions"] == "hi"
    event_id, _ = c.update_session(p.SessionConfig(type="realtime"))
    error = frame(
        "error", error={"type": "invalid_request_error", "message": "no", "event_id": event_id}
    )
    [resolve] = [a for a in c.receive_frame(error) if isinstance(a, Resolve)]
    assert isinstance(resolve.reply, p.Error)
    event_id, _ = c.update_session(p.SessionConfig(type="realtime"))
    assert c.close() == [Resolve(event_id, None)]  # the end answers every waiting request


def test_tracing_is_sent_only_with_the_first_update() -> None:
    c = core()
    tracing = p.TracingConfiguration(workflow_name="w")
    first = c.update_session(p.SessionConfig(type="realtime", tracing=tracing))[1][0]
    second = c.update_session(p.SessionConfig(type="realtime", tracing=tracing))[1][0]
    assert "tracing" in json.loads(p.encode_client_event(first.event))["session"]  # type: ignore[arg-type]
    assert "tracing" not in json.loads(p.encode_client_event(second.event))["session"]  # type: ignore[arg-type]


def test_echoed_credentials_and_listings_are_kept_by_the_core() -> None:
    c = core()
    tool = {
        "type": "mcp",
        "server_label": "d",
        "server_url": "https://x",
        "authorization": "tok-123456",
        "headers": {"K": "v-123456"},
    }
    actions = c.receive_frame(
        frame("session.created", session={"type": "realtime", "id": "sess_9", "tools": [tool]})
    )
    assert "tok-123456" not in actions[0].event.model_dump_json() and c.session_id == "sess_9"
    listing = {
        "type": "mcp_list_tools",
        "id": "l",
        "server_label": "d",
        "tools": [{"name": "search", "input_schema": {}}],
    }
    c.receive_frame(frame("conversation.item.done", item=listing))
    assert [t.name for t in c.hosted_tools["d"]] == ["search"]


def test_client_events_get_event_ids_from_the_core() -> None:
    c = core()
    [text] = c.send_text("hi")
    [commit] = c.commit_audio()
    [audio] = c.append_audio(b"\x00\x01")
    assert text.event.event_id != commit.event.event_id  # type: ignore[union-attr]
    assert json.loads(audio.event) == {"type": "input_audio_buffer.append", "audio": "AAE="}  # type: ignore[arg-type]

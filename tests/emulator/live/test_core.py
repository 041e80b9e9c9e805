"""The GPT-Live server core, sans I/O: client frames in, server events out, as the real server
sends them (every frame checked by the openai SDK's Live types)."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from rtagents.emulator.actions import Disconnect
from rtagents.emulator.faults import DropConnection, ErrorReply, ExpireSession
from rtagents.emulator.models import CallFunction, ModelContext, Say

from .oracle import inner, types
from .sansio import TIME, WEATHER, Live, heard, quiet, responses, said, speech

ASKED = "What's the weather in Paris?"


def hears(text: str = ASKED) -> Any:
    return lambda data, ms: text


def output(call_id: str, text: str) -> dict[str, Any]:
    item = {"type": "function_call_output", "call_id": call_id, "output": text}
    return {"type": "response.item.create", "item": item}


# -- the session -----------------------------------------------------------------------------


def test_session_start_answers_the_session_with_the_server_defaults() -> None:
    live = Live()
    events = live.send({"type": "session.start", "session": {"model": "gpt-live-1"}}, event_id="c1")
    assert types(events) == ["session.started"]
    started = events[0]
    assert started["client_event_id"] == "c1"
    session = started["session"]
    assert session["id"].startswith("sess_")
    assert (session["model"], session["status"]) == ("gpt-live-1", "active")
    assert session["expires_at"] == 3600
    assert session["audio"] == {
        "format": {"type": "audio/pcm", "rate": 24000},
        "output": {"voice": "marin"},
    }
    assert session["delegation"] == {"type": "client", "acknowledgement_delay_ms": 0}
    assert session["store"] is False and session["instructions"]


def test_a_command_before_session_start_is_an_error_and_the_connection_goes_on() -> None:
    live = Live()
    error = live.error_for({"type": "session.input_audio.mute"}, event_id="m1")
    assert error == {
        "type": "invalid_request_error",
        "code": "session_not_started",
        "message": "Send session.start first, and wait for session.started, before "
        "'session.input_audio.mute'.",
        "param": None,
        "client_event_id": "m1",
    }
    assert live.start()["model"] == "gpt-live-1"
    error = live.error_for({"type": "session.start", "session": {"model": "gpt-live-1"}})
    assert (error["code"], error["message"]) == (
        "session_already_started",
        "The session has already started: send session.update to change it.",
    )


def test_session_start_needs_a_model_and_says_so() -> None:
    live = Live()
    frame = json.dumps({"type": "session.start", "session": {}})
    live.core.receive(frame)
    error = live.run()[0]["error"]
    assert (error["code"], error["param"]) == ("missing_required_parameter", "session.model")
    assert error["message"] == "Missing required parameter: 'session.model'."


def test_session_update_changes_the_delegation_but_never_its_kind() -> None:
    live = Live()
    live.start(delegation=responses(WEATHER))
    update = {
        "type": "responses",
        "acknowledgement_delay_ms": 200,
        "responses": {"instructions": "Be brief.", "tools": [WEATHER, TIME]},
    }
    events = live.send({"type": "session.update", "session": {"delegation": update}})
    assert types(events) == ["session.updated"]
    delegation = events[0]["session"]["delegation"]
    assert delegation["acknowledgement_delay_ms"] == 200
    assert delegation["responses"]["model"] == "gpt-5.5"  # kept: updates are sparse
    assert delegation["responses"]["instructions"] == "Be brief."
    assert [t["name"] for t in delegation["responses"]["tools"]] == ["get_weather", "get_time"]
    error = live.error_for(
        {"type": "session.update", "session": {"delegation": {"type": "client"}}}
    )
    assert (error["code"], error["param"]) == ("invalid_value", "session.delegation.type")
    assert error["message"] == (
        "The delegation type cannot change: this session delegates to 'responses'."
    )


def test_session_close_sends_the_final_snapshot_and_closes() -> None:
    live = Live(transcribe=hears())
    session = live.start()
    events = live.send({"type": "session.close"}, event_id="bye")
    assert types(events) == ["session.closed"]
    assert events[0]["reason"] == "close_requested"
    assert events[0]["session"]["id"] == session["id"]
    assert events[0]["client_event_id"] == "bye"
    assert live.disconnect == Disconnect(1000, "session closed")


def test_the_session_expires_with_session_closed() -> None:
    live = Live(max_session_s=2)
    live.start()
    assert live.core.wake_at() == 2000
    events = live.run(until_ms=2000)
    assert types(events) == ["session.closed"] and events[0]["reason"] == "expired"
    assert live.disconnect == Disconnect(1000, "session expired")


def test_unknown_and_unsupported_events_are_errors() -> None:
    live = Live()
    live.start()
    live.core.receive(json.dumps({"type": "conversation.item.create"}))
    error = live.run()[0]["error"]
    assert (error["code"], error["param"]) == ("invalid_value", "type")
    assert (
        error["message"]
        == "Invalid value: 'conversation.item.create'. It is not a client event type."
    )
    error = live.error_for({"type": "session.output_audio.fixture.play", "audio": "AAAA"})
    assert error["code"] == "unsupported_event"
    assert "session.output_audio.fixture.play" in error["message"]


# -- audio, and the model's turns ------------------------------------------------------------


def test_a_spoken_turn_is_transcribed_and_answered_on_the_session_timeline() -> None:
    live = Live(["Hello there."], transcribe=hears("Hi!"))
    live.start()
    events = live.turn(600)
    assert heard(events) == "Hi!"
    spoken = [e for e in events if e["type"] == "session.input_transcript.delta"]
    assert (spoken[0]["start_ms"], spoken[-1]["end_ms"]) == (0, 800)  # speech, then 200 ms
    assert said(events) == "Hello there."
    deltas = [e for e in events if e["type"] == "session.output_transcript.delta"]
    # The model speaks after the turn, on from where the session's audio is (1,000 ms in).
    assert deltas[0]["start_ms"] == 1000
    assert all(a["end_ms"] == b["start_ms"] for a, b in pairwise(deltas))
    assert deltas[-1]["end_ms"] == 1000 + 50 * len("Hello there.")
    assert any(e["type"] == "session.output_audio.delta" for e in events)
    assert types(events)[-1] == "session.usage.updated"
    assert events[-1]["usage"] == {"seconds": 1.0}
    ctx = live.contexts[0]
    assert ctx.last_user_text == "Hi!"


def test_the_model_stops_speaking_when_the_user_barges_in() -> None:
    long = " ".join(["word"] * 40)
    live = Live([long], transcribe=hears(), realtime=True)
    live.start()
    live.turn(600)
    events = live.run(until_ms=500)  # half a second of the answer is out
    assert said(events) and said(events) != long
    events = live.send({"type": "session.input_audio.append", "audio": speech(300)})
    events += live.run(until_ms=100_000)
    assert not any(e["type"] == "session.output_transcript.delta" for e in events)


def test_muted_input_is_heard_as_silence() -> None:
    live = Live(transcribe=hears())
    live.start()
    assert types(live.send({"type": "session.input_audio.mute"}, event_id="m")) == [
        "session.input_audio.muted"
    ]
    assert live.turn() == []  # no turn: the model heard nothing
    assert types(live.send({"type": "session.input_audio.unmute"})) == [
        "session.input_audio.unmuted"
    ]
    assert heard(live.turn()) == ASKED


def test_appended_instructions_reach_the_model() -> None:
    live = Live(["ok"], transcribe=hears())
    live.start(instructions="Be kind.")
    append = {
        "type": "session.instructions.append",
        "content": "Speak French.",
        "delegation_id": None,
    }
    events = live.send(append)
    assert types(events) == ["session.instructions.appended"]
    assert events[0]["start_ms"] == events[0]["end_ms"] == 0
    live.turn()
    assert live.contexts[0].instructions == "Be kind.\n\nSpeak French."


# -- a responses delegation ------------------------------------------------------------------


def test_a_delegated_function_call_and_its_answer() -> None:
    def answer(ctx: ModelContext) -> str:
        return f"It is {ctx.pending_outputs[0]['output']}."

    live = Live(
        [CallFunction("get_weather", {"city": "Paris"}, "call_1"), answer], transcribe=hears()
    )
    live.start(delegation=responses(WEATHER))
    events = live.turn()
    assert types(events)[-8:] == [
        "session.delegation.created",
        "response.event:response.created",
        "response.event:response.in_progress",
        "response.event:response.output_item.added",
        "response.event:response.function_call_arguments.delta",
        "response.event:response.function_call_arguments.done",
        "response.event:response.output_item.done",
        "response.event:response.completed",
    ]
    created = next(e for e in events if e["type"] == "session.delegation.created")
    delegation = created["delegation"]
    assert delegation["target"] == "responses" and delegation["type"] == "delegation"
    assert created["offset_ms"] == 1000
    stream = [e for e in events if e["type"] == "response.event"]
    assert {e["delegation_id"] for e in stream} == {delegation["id"]}
    assert inner(events, "response.created")[0]["response"]["id"] == delegation["response_id"]
    assert [e["sequence_number"] for e in inner(events)] == list(range(7))
    item = inner(events, "response.output_item.done")[0]["item"]
    assert (item["type"], item["call_id"], item["name"]) == (
        "function_call",
        "call_1",
        "get_weather",
    )
    assert item["arguments"] == '{"city": "Paris"}'
    assert said(events) == ""

    assert live.send(output("call_1", "sunny"), event_id="o1") == []  # no acknowledgement
    events = live.send({"type": "response.create"})
    assert types(events)[:4] == [
        "response.event:response.created",
        "response.event:response.in_progress",
        "response.event:response.output_item.added",
        "response.event:response.content_part.added",
    ]
    assert {e["delegation_id"] for e in events if e["type"] == "response.event"} == {
        delegation["id"]
    }
    second = inner(events, "response.created")[0]["response"]["id"]
    assert second != delegation["response_id"]
    text = "".join(e["delta"] for e in inner(events, "response.output_text.delta"))
    assert text == "It is sunny." == inner(events, "response.output_text.done")[0]["text"]
    done = inner(events, "response.completed")[0]["response"]
    assert done["status"] == "completed" and done["usage"]["output_tokens"] > 0
    # Then the Live model says the backend's answer.
    after = types(events)[types(events).index("response.event:response.completed") + 1 :]
    assert after[0] == "session.output_transcript.delta" and after[-1] == "session.usage.updated"
    assert said(events) == "It is sunny."
    backend = live.contexts[1]
    assert backend.instructions == "Use the tools."
    assert [t["name"] for t in backend.tools] == ["get_weather"]


def test_response_create_is_refused_until_every_call_of_the_batch_has_its_output() -> None:
    two = [
        CallFunction("get_weather", {"city": "Paris"}, "call_a"),
        CallFunction("get_time", {}, "call_b"),
    ]
    live = Live(
        [two, lambda ctx: " and ".join(o["output"] for o in ctx.pending_outputs)],
        transcribe=hears(),
    )
    live.start(delegation=responses(WEATHER, TIME))
    events = live.turn()
    calls = [i["item"] for i in inner(events, "response.output_item.done")]
    assert [c["call_id"] for c in calls] == ["call_a", "call_b"]
    assert types(events).count("session.delegation.created") == 1

    assert live.send(output("call_a", "sunny")) == []
    error = live.error_for({"type": "response.create"}, event_id="r1")
    assert error == {
        "type": "invalid_request_error",
        "code": "missing_tool_output",
        "message": "No tool output found for function call call_b.",
        "param": None,
        "client_event_id": "r1",
    }
    assert live.send(output("call_b", "noon")) == []
    events = live.send({"type": "response.create"})
    assert said(events) == "sunny and noon"
    assert [o["call_id"] for o in live.contexts[1].pending_outputs] == ["call_a", "call_b"]
    assert types(events).count("response.event:response.created") == 1


def test_function_call_outputs_must_answer_a_call_once() -> None:
    live = Live([CallFunction("get_weather", {}, "call_1")], transcribe=hears())
    live.start(delegation=responses(WEATHER))
    live.turn()
    error = live.error_for(output("call_9", "x"))
    assert (error["code"], error["param"]) == ("invalid_value", "item.call_id")
    assert error["message"] == "No tool call found with call_id 'call_9'."
    live.send(output("call_1", "x"))
    error = live.error_for(output("call_1", "again"))
    assert error["message"] == "Tool call 'call_1' already has an output."


def test_responses_commands_need_a_responses_delegation() -> None:
    live = Live()
    live.start()
    error = live.error_for({"type": "response.create"})
    assert error["code"] == "responses_delegation_required"
    assert error["message"] == (
        "response.create needs Responses delegation; this session delegates to 'client'."
    )


def test_a_second_response_create_while_one_streams_is_refused() -> None:
    live = Live(["one", "two"])
    live.start(delegation=responses(WEATHER))
    live.core.receive(json.dumps({"type": "response.create"}))
    live.core.receive(json.dumps({"type": "response.create"}))
    events = live.run()
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert [e["code"] for e in errors] == ["conversation_already_has_active_response"]
    # Without a delegation, the stream still says so: its delegation_id is null.
    assert {e["delegation_id"] for e in events if e["type"] == "response.event"} == {None}
    assert said(events) == "one"


def test_a_delegation_waits_for_the_backend_response_streaming_before_it() -> None:
    live = Live(transcribe=hears(), hold_model=True)
    live.start(delegation=responses(WEATHER))
    live.send({"type": "response.create"})  # the client's own: its model is held
    live.turn()  # the Live model's turn: held too
    assert len(live.asked) == 2
    events = live.answer([CallFunction("get_weather", {}, "call_1")], index=1)
    assert "session.delegation.created" not in types(events)  # the backend is busy
    events = live.answer("Done.")
    kinds = types(events)
    first_done = kinds.index("response.event:response.completed")
    assert kinds.index("session.delegation.created") > first_done
    created = next(e for e in events if e["type"] == "session.delegation.created")
    stream = [e for e in events if e["type"] == "response.event"]
    assert stream[0]["delegation_id"] is None  # the client's response
    assert stream[-1]["delegation_id"] == created["delegation"]["id"]
    assert inner(events, "response.output_item.done")[-1]["item"]["call_id"] == "call_1"


def test_context_appended_with_a_delegation_id_needs_a_client_delegation() -> None:
    live = Live()
    live.start(delegation=responses(WEATHER))
    error = live.error_for(
        {"type": "session.thinking.append", "content": "x", "delegation_id": "del_1"}
    )
    assert (error["code"], error["param"]) == ("invalid_value", "delegation_id")
    assert error["message"] == "A delegation_id is not accepted with Responses delegation."


def test_a_hosted_mcp_call_waits_for_approval_then_runs() -> None:
    from rtagents.emulator.models import CallMCP

    mcp = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example.com"}
    listed = {"docs": [{"name": "search", "input_schema": {"type": "object"}}]}

    def answer(ctx: ModelContext) -> str:
        return f"Found: {ctx.pending_outputs[-1]['output']}"

    live = Live(
        [CallMCP("docs", "search", {"q": "returns"}), answer], hosted=listed, transcribe=hears()
    )
    session = live.start(delegation=responses(mcp))
    assert "authorization" not in session["delegation"]["responses"]["tools"][0]
    events = live.turn()
    # A backend response lists the hosted tools it may call first, as the Responses API does.
    listing, request = [e["item"] for e in inner(events, "response.output_item.done")]
    assert listing["type"] == "mcp_list_tools" and listing["server_label"] == "docs"
    assert [tool["name"] for tool in listing["tools"]] == ["search"]
    assert request["type"] == "mcp_approval_request" and request["name"] == "search"
    assert said(events) == ""
    approval = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    assert live.send({"type": "response.item.create", "item": approval}) == []
    events = live.send({"type": "response.create"})
    kinds = [e["type"] for e in inner(events)]
    assert kinds[:9] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",  # (the listing)
        "response.output_item.done",
        "response.output_item.added",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
    ]
    call = inner(events, "response.output_item.done")[1]["item"]
    assert (call["type"], call["output"], call["status"]) == ("mcp_call", "ok", "completed")
    assert said(events) == "Found: ok"


# -- a client delegation ---------------------------------------------------------------------


def test_a_client_delegation_is_answered_with_commentary_that_is_spoken() -> None:
    live = Live(
        [[Say("Let me look."), CallFunction("lookup_order", {"id": 7})]], transcribe=hears()
    )
    live.start(delegation={"type": "client"})
    events = live.turn()
    assert said(events) == "Let me look."
    created = next(e for e in events if e["type"] == "session.delegation.created")
    assert created["delegation"] == {
        "type": "delegation",
        "id": created["delegation"]["id"],
        "target": "client",
    }
    delegation_id = created["delegation"]["id"]

    thinking = {
        "type": "session.thinking.append",
        "content": "Still looking.",
        "delegation_id": delegation_id,
    }
    events = live.send(thinking)
    assert types(events) == ["session.thinking.appended"]
    assert events[0]["start_ms"] == events[0]["end_ms"]

    commentary = {
        "type": "session.commentary.append",
        "content": "Your order ships tomorrow.",
        "delegation_id": delegation_id,
    }
    events = live.send(commentary, event_id="k1")
    assert types(events)[0] == "session.commentary.appended"
    appended = events[0]
    assert appended["client_event_id"] == "k1"
    assert appended["end_ms"] - appended["start_ms"] == 50 * len("Your order ships tomorrow.")
    assert said(events) == "Your order ships tomorrow."
    first = next(e for e in events if e["type"] == "session.output_transcript.delta")
    assert first["start_ms"] == appended["start_ms"]

    error = live.error_for({**commentary, "delegation_id": "del_nope"})
    assert (error["code"], error["param"]) == ("invalid_value", "delegation_id")
    assert error["message"] == "No delegation with id 'del_nope' in this session."


# -- faults ----------------------------------------------------------------------------------


def test_a_drop_after_an_event_inside_response_event() -> None:
    fault = DropConnection(after="response.function_call_arguments.done", code=1011)
    live = Live([CallFunction("get_weather", {}, "call_1")], transcribe=hears(), faults=(fault,))
    live.start(delegation=responses(WEATHER))
    events = live.turn()
    assert types(events)[-1] == "response.event:response.function_call_arguments.done"
    assert live.disconnect == Disconnect(1011, "emulator dropped the connection")


def test_error_replies_and_timed_faults_work_on_live() -> None:
    live = Live(faults=(ErrorReply(to="session.start", code="server_error"),))
    error = live.error_for({"type": "session.start", "session": {"model": "gpt-live-1"}})
    assert error["code"] == "server_error"
    live = Live(faults=(ExpireSession(after="session.started"),))
    events = live.send({"type": "session.start", "session": {"model": "gpt-live-1"}})
    assert types(events) == ["session.started", "session.closed"]


def test_appending_bad_audio_is_an_error() -> None:
    live = Live()
    live.start()
    error = live.error_for({"type": "session.input_audio.append", "audio": "@@"})
    assert (error["code"], error["param"]) == ("invalid_value", "audio")
    assert live.send({"type": "session.input_audio.append", "audio": quiet(100)}) == []


def test_a_note_sent_again_with_its_event_id_is_taken_once() -> None:
    # A client sends its notes again after an attach until they are acknowledged: one the
    # server took already (the same event_id) is not said, nor added, a second time.
    live = Live(
        [[Say("Let me look."), CallFunction("lookup_order", {"id": 7})]], transcribe=hears()
    )
    live.start(delegation={"type": "client"})
    events = live.turn()
    delegation_id = next(e for e in events if e["type"] == "session.delegation.created")[
        "delegation"
    ]["id"]
    for kind, text in (("thinking", "Still looking."), ("commentary", "It ships tomorrow.")):
        note = {"type": f"session.{kind}.append", "content": text, "delegation_id": delegation_id}
        first = live.send(note, event_id=f"n_{kind}")
        again = live.send(note, event_id=f"n_{kind}")
        assert f"session.{kind}.appended" in types(first)
        assert again == []
        other = live.send(note, event_id=f"m_{kind}")  # another note, the same words
        assert f"session.{kind}.appended" in types(other)
    texts = [json.dumps(item) for item in live.core.conversation.items]
    assert sum("Still looking." in t for t in texts) == 2
    assert sum("It ships tomorrow." in t for t in texts) == 2

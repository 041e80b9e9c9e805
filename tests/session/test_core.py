"""Turn-taking, sans I/O: typed server events in, actions out. No sockets, no clocks."""

from __future__ import annotations

from typing import Any

from rtagents import protocol as p
from rtagents.session import ResponseRequested
from rtagents.session.actions import (
    CancelCall,
    Emit,
    Send,
    StartApproval,
    StartCall,
    StopPlayback,
    ToolTraits,
)
from rtagents.session.batches import _COLLECT_PAST
from rtagents.session.realtime import RealtimeCore

from .frames import audio_delta, ev

TRAITS = {
    "fast": ToolTraits(),
    "slow": ToolTraits(),
    "quiet": ToolTraits(trigger_response=False),
    "stoppable": ToolTraits(cancel_on_interrupt=True),
}


class Core(RealtimeCore):
    """The core, with ``receive`` giving only what an event leads to (not its delivery)."""

    def receive(self, event: Any, size: int = 0) -> list[Any]:
        return [
            a
            for a in super().receive(event, size)
            if not (isinstance(a, Emit) and a.event is event)
        ]


def core() -> Core:
    return Core(TRAITS.get)


def created(rid: str, **extra: Any) -> Any:
    return ev("response.created", response={"id": rid, "status": "in_progress", **extra})


def done(rid: str, output: list[dict[str, Any]] | None = None) -> Any:
    return ev("response.done", response={"id": rid, "status": "completed", "output": output or []})


def args_done(rid: str, call_id: str, name: str, arguments: str = "{}") -> Any:
    return ev(
        "response.function_call_arguments.done",
        response_id=rid,
        item_id=f"item_{call_id}",
        output_index=0,
        call_id=call_id,
        name=name,
        arguments=arguments,
    )


def output_added(call_id: str) -> Any:
    return ev(
        "conversation.item.added",
        item={"type": "function_call_output", "call_id": call_id, "output": "x"},
    )


def carried_out(c: RealtimeCore, actions: list[Any]) -> list[Any]:
    """``actions`` with each ``StopPlayback`` carried out as the runner does with no player:
    the figure given (if any) goes back to the core."""
    out: list[Any] = []
    for a in actions:
        if isinstance(a, StopPlayback):
            out += c.playback_stopped(a.item_id, a.played_ms, a.heard_only)
        else:
            out.append(a)
    return out


def client_events(actions: list[Any]) -> list[Any]:
    """The client events among ``actions``, as a server reads their frames."""
    return [
        p.parse_client_event(a.event if isinstance(a.event, str) else RealtimeCore.encode(a.event))
        for a in actions
        if isinstance(a, Send)
    ]


def creates(actions: list[Any]) -> list[Any]:
    return [e for e in client_events(actions) if isinstance(e, p.ResponseCreate)]


def sent_items(actions: list[Any]) -> list[Any]:
    return [e.item for e in client_events(actions) if isinstance(e, p.ConversationItemCreate)]


def test_a_call_starts_once_per_call_id() -> None:
    c = core()
    c.receive(created("r1"))
    assert c.receive(args_done("r1", "c1", "fast")) == [
        StartCall("c1", "fast", "{}", "r1", "item_c1")
    ]
    item = {
        "type": "function_call",
        "id": "item_c1",
        "call_id": "c1",
        "name": "fast",
        "arguments": "{}",
        "status": "completed",
    }
    assert (
        c.receive(ev("response.output_item.done", response_id="r1", output_index=0, item=item))
        == []
    )
    assert [a for a in c.receive(done("r1", [item])) if isinstance(a, StartCall)] == []


def test_a_call_known_only_from_response_done_still_runs() -> None:
    c = core()
    c.receive(created("r1"))
    item = {
        "type": "function_call",
        "id": "i",
        "call_id": "c9",
        "name": "fast",
        "arguments": "{}",
        "status": "completed",
    }
    actions = c.receive(done("r1", [item]))
    assert StartCall("c9", "fast", "{}", "r1", "i") in actions


def test_two_calls_one_slow_give_two_outputs_then_one_create() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "fast"))
    c.receive(args_done("r1", "c2", "slow"))
    assert creates(c.receive(done("r1"))) == []  # nothing to answer yet
    first = c.call_finished("c1", "one")
    assert [i.call_id for i in sent_items(first)] == ["c1"] and creates(first) == []
    c.receive(output_added("c1"))
    second = c.call_finished("c2", "two")
    assert [i.call_id for i in sent_items(second)] == ["c2"]
    assert len(creates(second)) == 1
    assert Emit(ResponseRequested(("c1", "c2"))) in second
    c.receive(output_added("c2"))
    assert creates(c.receive(created("r2"))) == []
    assert creates(c.receive(done("r2"))) == []  # the batch was answered: no second create


def test_outputs_before_the_response_is_done_wait_for_it() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "fast"))
    assert creates(c.call_finished("c1", "out")) == []  # r1 is still active
    c.receive(output_added("c1"))
    assert len(creates(c.receive(done("r1")))) == 1


def test_never_while_another_response_is_active() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "slow"))
    c.receive(done("r1"))
    c.receive(created("r2"))  # a user turn started meanwhile
    actions = c.call_finished("c1", "late")
    assert creates(actions) == []
    c.receive(output_added("c1"))  # added while r2 runs: r2 did not see it
    assert len(creates(c.receive(done("r2")))) == 1


def test_a_response_created_after_the_output_was_added_has_seen_it() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "slow"))
    c.receive(done("r1"))
    c.receive(created("r2"))
    c.call_finished("c1", "x")
    c.receive(output_added("c1"))
    c.receive(done("r2"))  # this create went out above...
    c.receive(created("r3"))  # ...and r3 carries the output
    assert creates(c.receive(done("r3"))) == []


def test_active_response_error_is_recovered() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "fast"))
    c.receive(done("r1"))
    [create] = creates(c.call_finished("c1", "x"))
    # Server VAD started a response before ours arrived; the output was not added yet.
    c.receive(created("r_vad"))
    error = ev(
        "error",
        error={
            "type": "invalid_request_error",
            "code": "conversation_already_has_active_response",
            "message": "busy",
            "event_id": create.event_id,
        },
    )
    assert c.receive(error) == []
    c.receive(output_added("c1"))
    assert len(creates(c.receive(done("r_vad")))) == 1  # asked again once it was free


def test_other_create_errors_give_up_with_a_warning() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "fast"))
    c.receive(done("r1"))
    [create] = creates(c.call_finished("c1", "x"))
    error = ev(
        "error",
        error={
            "type": "invalid_request_error",
            "code": "weird",
            "message": "no",
            "event_id": create.event_id,
        },
    )
    actions = c.receive(error)
    assert any(isinstance(a, Emit) and "response.create failed" in a.event.message for a in actions)
    assert creates(actions) == []


def test_trigger_response_false_asks_for_no_turn() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "quiet"))
    c.receive(done("r1"))
    actions = c.call_finished("c1", "logged")
    assert len(sent_items(actions)) == 1 and creates(actions) == []


def test_quiet_calls_do_not_hold_back_the_batch() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "quiet"))
    c.receive(args_done("r1", "c2", "fast"))
    c.receive(done("r1"))
    assert len(creates(c.call_finished("c2", "x"))) == 1


def test_barge_in_cancels_stoppable_calls_and_their_batch_waits_for_the_users_turn() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "stoppable"))
    c.receive(args_done("r1", "c2", "fast"))
    c.receive(done("r1"))
    actions = c.receive(ev("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u"))
    assert CancelCall("c1", "the user started speaking") in actions
    assert not any(isinstance(a, CancelCall) and a.call_id == "c2" for a in actions)
    assert creates(c.call_finished("c1", "cancelled", cancelled=True)) == []
    # The batch waits for the user's turn (one of ours would talk over the user), whose
    # response sees c2's output once the server has it: nothing is owed after it.
    assert creates(c.call_finished("c2", "x")) == []
    c.receive(output_added("c2"))
    c.receive(created("r2"))
    assert creates(c.receive(done("r2"))) == []


def test_out_of_band_responses_do_not_block() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(args_done("r1", "c1", "fast"))
    c.receive(done("r1"))
    c.receive(created("r_oob", conversation_id=None))
    assert len(creates(c.call_finished("c1", "x"))) == 1


def test_hosted_approval_requests_join_the_batch() -> None:
    c = core()
    c.receive(created("r1"))
    request = {
        "type": "mcp_approval_request",
        "id": "apr_1",
        "server_label": "docs",
        "name": "delete",
        "arguments": "{}",
    }
    actions = c.receive(
        ev("response.output_item.done", response_id="r1", output_index=0, item=request)
    )
    assert actions == [StartApproval(p.McpApprovalRequest.model_validate(request), "r1")]
    c.receive(done("r1"))
    actions = c.approval_decided("apr_1", False, "not now")
    [item] = sent_items(actions)
    assert (item.approval_request_id, item.approve, item.reason) == ("apr_1", False, "not now")
    assert len(creates(actions)) == 1


def test_interrupt_cancels_truncates_and_tells_the_app() -> None:
    c = core()
    c.receive(created("r1"))
    c.receive(audio_delta("r1", "a1", "A" * 6400))  # 100 ms
    actions = carried_out(c, c.interrupt(played_ms=250))
    sends = [a.event for a in actions if isinstance(a, Send)]
    assert isinstance(sends[0], p.ResponseCancel)
    assert (sends[1].item_id, sends[1].audio_end_ms) == ("a1", 100)  # never past what arrived
    assert any(isinstance(a, Emit) and a.event.type == "audio.interrupted" for a in actions)


def test_a_barge_in_tells_the_app_before_it_cancels_calls() -> None:
    """A cancel answers its call at once (``tool.call.failed``): ``audio.interrupted`` comes
    first, so the app hears of the interruption before what it cost."""
    for barge_in in ("speech", "interrupt"):
        c = core()
        c.receive(created("r1"))
        c.receive(audio_delta("r1", "a1", "A" * 6400))
        c.receive(args_done("r1", "c1", "stoppable"))
        if barge_in == "speech":
            actions = carried_out(
                c, c.receive(ev("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u"))
            )
        else:
            actions = carried_out(c, c.interrupt(played_ms=50))
        kinds = [
            "interrupted"
            if isinstance(a, Emit) and a.event.type == "audio.interrupted"
            else "cancel"
            if isinstance(a, CancelCall)
            else "other"
            for a in actions
        ]
        assert "cancel" in kinds and "interrupted" in kinds, barge_in
        assert kinds.index("interrupted") < kinds.index("cancel"), barge_in


def stops(actions: list[Any]) -> list[StopPlayback]:
    return [a for a in actions if isinstance(a, StopPlayback)]


def test_a_barge_in_after_a_drop_stops_the_audio_the_old_connection_sent() -> None:
    """The connection dropped while the player still held an answer's audio: that item is
    nobody's to cut on the new connection, but the caller still hears it. The user's next
    speech stops the player (nothing cut), once; later speech with no audio since, nothing."""
    c = core()
    speech = ev("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u")
    c.receive(created("r1"))
    c.receive(audio_delta("r1", "a1", "A" * 6400))
    c.disconnected()
    assert stops(c.receive(speech)) == [StopPlayback(None, None, heard_only=True)]
    assert stops(c.receive(speech)) == []  # (stopped: nothing plays any more)
    c.disconnected()  # (a drop with no audio since: nothing left over)
    assert stops(c.receive(speech)) == []
    c.receive(audio_delta("r2", "a2", "A" * 6400))
    assert stops(c.receive(speech)) == [StopPlayback("a2", None, heard_only=True)]


def test_memory_stays_flat_over_many_turns() -> None:
    c = core()
    for n in range(5000):
        rid, cid = f"r{n}", f"c{n}"
        c.receive(created(rid))
        c.receive(args_done(rid, cid, "fast"))
        c.receive(done(rid))
        c.call_finished(cid, "x")
        c.receive(output_added(cid))
    # What is finished is forgotten in bulk, past a small bound.
    assert (
        len(c.orchestrator.batches.batches) + len(c.orchestrator.batches.work) <= _COLLECT_PAST + 2
    )
    # Call ids are kept for the whole session (so that a replayed one never runs twice).
    assert len(c.orchestrator.started) == 5000


def test_calls_cut_off_by_a_cancel_leave_nothing_behind() -> None:
    """A barge-in cancels a response while a call's arguments stream: its item ends
    ``incomplete`` and never runs. Nothing of it may stay (its name was kept until a done
    that never comes)."""
    c = core()
    for n in range(500):
        rid = f"r{n}"
        item = {"type": "function_call", "id": f"item_{n}", "call_id": f"c{n}", "name": "fast"}
        c.receive(created(rid))
        for kind, status, arguments in [("added", "in_progress", ""), ("done", "incomplete", "{")]:
            c.receive(
                ev(
                    f"response.output_item.{kind}",
                    response_id=rid,
                    output_index=0,
                    item={**item, "status": status, "arguments": arguments},
                )
            )
        c.receive(ev("response.done", response={"id": rid, "status": "cancelled", "output": []}))
    assert c._item_names == {}
    assert (
        len(c.orchestrator.batches.batches) + len(c.orchestrator.batches.work) <= _COLLECT_PAST + 2
    )


def test_audio_duration_follows_the_output_format() -> None:
    # G.711 is 8 bytes per ms, pcm16 at 24 kHz 48: 6400 base64 chars are 600 ms or 100 ms.
    for fmt, expected in (("audio/pcmu", 600), ("audio/pcm", 100)):
        c = core()
        c.receive(
            ev(
                "session.updated",
                session={"type": "realtime", "audio": {"output": {"format": {"type": fmt}}}},
            )
        )
        c.receive(created("r1"))
        c.receive(audio_delta("r1", "a1", "A" * 6400))
        truncate = [
            a.event
            for a in carried_out(c, c.interrupt(played_ms=10_000))
            if isinstance(a, Send) and isinstance(a.event, p.ConversationItemTruncate)
        ]
        assert truncate[0].audio_end_ms == expected, fmt

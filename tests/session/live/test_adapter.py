"""The GPT-Live adapter, sans I/O: Live frames in, actions out. No sockets, no clocks.

A delegated response's function calls go through the same lifecycle as on Realtime; each
output is a ``response.item.create`` and each delegated batch is answered with exactly one
``response.create``, once every call of the response has its output."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest

from rtagents import protocol as p
from rtagents.errors import UnsupportedByAPI
from rtagents.protocol import live as lp
from rtagents.session import ResponseRequested
from rtagents.session.actions import (
    Emit,
    EndSession,
    Resolve,
    Send,
    StartApproval,
    StartCall,
    StartDelegation,
    ToolTraits,
)
from rtagents.session.journal_accounts import Accounts
from rtagents.session.journal_items import answer_item_id, output_item_id
from rtagents.session.live import LiveCore
from rtagents.session.realtime import RealtimeCore

from .frames import (
    arguments_done,
    call_added,
    call_done,
    completed,
    created,
    delegated,
    frame,
    kinds,
    said,
    sent,
    warnings,
    wrapped,
)

TRAITS = {"fast": ToolTraits(), "slow": ToolTraits(), "quiet": ToolTraits(trigger_response=False)}


def core() -> LiveCore:
    return LiveCore(lambda name, response_id: TRAITS.get(name))


def feed(c: LiveCore, *frames: str) -> list[Any]:
    """What the frames lead to, beyond their delivery to the app (framework events kept)."""
    out: list[Any] = []
    for text in frames:
        out += [
            a
            for a in c.receive_frame(text)
            if not (isinstance(a, Emit) and isinstance(a.event, p.WireModel))
        ]
    return out


def started(actions: list[Any]) -> list[StartCall]:
    return [a for a in actions if isinstance(a, StartCall)]


def delegated_batch(c: LiveCore, *calls: tuple[str, str]) -> list[Any]:
    """A delegated response that makes ``calls`` (``(call_id, tool)``) and completes."""
    actions = feed(c, delegated("del_1", rid="resp_1"), created("resp_1"))
    for call_id, name in calls:
        actions += feed(
            c, call_added(call_id, name), arguments_done(call_id), call_done(call_id, name)
        )
    return actions + feed(c, completed("resp_1"))


def test_a_delegated_batch_of_two_calls_is_answered_with_one_response_create() -> None:
    c = core()
    actions = delegated_batch(c, ("call_a", "fast"), ("call_b", "slow"))
    assert [(s.call_id, s.name, s.response_id) for s in started(actions)] == [
        ("call_a", "fast", "resp_1"),
        ("call_b", "slow", "resp_1"),
    ]
    assert kinds(c, actions) == []  # nothing goes out while the calls run

    first = c.call_finished("call_a", '{"temp": 21}')
    assert sent(c, first) == [
        {
            "type": "response.item.create",
            "event_id": first[0].event.event_id,
            "item": {"type": "function_call_output", "call_id": "call_a", "output": '{"temp": 21}'},
        }
    ]
    second = c.call_finished("call_b", "ok")
    assert kinds(c, second) == ["response.item.create:function_call_output", "response.create"]
    assert [a.event for a in second if isinstance(a, Emit)] == [
        ResponseRequested(("call_a", "call_b"))
    ]
    # The backend goes on with a new response that answers the batch: nothing more is asked.
    after = feed(c, created("resp_2"), completed("resp_2"))
    assert kinds(c, after) == []


def test_outputs_sent_before_the_response_completes_are_asked_for_once_it_does() -> None:
    c = core()
    feed(
        c,
        delegated("del_1"),
        created("resp_1"),
        call_done("call_a", "fast"),
        call_done("call_b", "fast"),
    )
    assert kinds(c, c.call_finished("call_a", "a")) == ["response.item.create:function_call_output"]
    assert kinds(c, c.call_finished("call_b", "b")) == ["response.item.create:function_call_output"]
    assert kinds(c, feed(c, completed("resp_1"))) == ["response.create"]


def test_a_partial_batch_never_asks() -> None:
    c = core()
    delegated_batch(c, ("call_a", "fast"), ("call_b", "slow"))
    assert kinds(c, c.call_finished("call_a", "a")) == ["response.item.create:function_call_output"]
    assert (
        kinds(
            c,
            feed(
                c,
                frame("session.output_transcript.delta", delta="One moment.", start_ms=0, end_ms=9),
            ),
        )
        == []
    )
    assert kinds(c, c.call_finished("call_a", "again")) == []  # answered once only


def test_a_call_announced_twice_starts_once() -> None:
    c = core()
    actions = feed(
        c,
        created("resp_1"),
        call_added("call_a", "fast"),
        arguments_done("call_a", '{"x": 1}'),
        call_done("call_a", "fast", '{"x": 1}'),
        completed(
            "resp_1",
            output=[
                {
                    "type": "function_call",
                    "id": "fc_call_a",
                    "call_id": "call_a",
                    "name": "fast",
                    "arguments": '{"x": 1}',
                    "status": "completed",
                }
            ],
        ),
    )
    assert [(s.call_id, s.arguments, s.item_id) for s in started(actions)] == [
        ("call_a", '{"x": 1}', "fc_call_a")
    ]


def test_a_call_id_reused_by_a_later_response_keeps_both_outputs() -> None:
    """A later delegated response reusing a call id gets its own answer (never run): the
    first call's output stays in the history and among what is sent again after a drop."""
    c = core()
    (first,) = started(delegated_batch(c, ("call_a", "fast")))
    tell_sends(c, c.call_finished(first.work_id, "21 degrees"))
    again = feed(
        c,
        delegated("del_2", rid="resp_2"),
        created("resp_2", "del_2"),
        call_done("call_a", "fast", "{}", "del_2"),
    )
    (second,) = started(again)
    assert second.duplicate and second.work_id != first.work_id
    tell_sends(c, c.call_finished(second.work_id, "(not run: a reused call id)"))
    held = [json.loads(c.encode(e))["item"]["output"] for e in c._held.again()]
    assert held == ["21 degrees", "(not run: a reused call id)"]
    feed(c, completed("resp_2", "del_2"))
    outputs = [i.output for i in c.journal.items() if isinstance(i, p.FunctionCallOutput)]
    assert outputs == ["21 degrees", "(not run: a reused call id)"]


def tell_sends(c: LiveCore, actions: list[Any]) -> None:
    """As the runner does: the core hears of each send."""
    for action in actions:
        if isinstance(action, Send):
            c.sent(action.event)


def test_a_call_known_only_from_its_done_item_runs_under_the_delegations_response() -> None:
    c = core()
    actions = feed(
        c, delegated("del_9", rid="resp_9"), call_done("call_z", "fast", delegation_id="del_9")
    )
    assert [(s.call_id, s.response_id) for s in started(actions)] == [("call_z", "resp_9")]


def test_a_tool_that_asks_for_no_reply_still_continues_the_delegated_response() -> None:
    # The backend waits for every output of its response: on GPT-Live every batch is answered.
    c = core()
    delegated_batch(c, ("call_q", "quiet"))
    assert kinds(c, c.call_finished("call_q", "done")) == [
        "response.item.create:function_call_output",
        "response.create",
    ]


def test_a_refused_response_create_is_a_warning_and_gives_the_batch_up() -> None:
    c = core()
    delegated_batch(c, ("call_a", "fast"))
    ask = [a for a in c.call_finished("call_a", "a") if "response.create" in kinds(c, [a])]
    ref = ask[0].event.event_id
    error = frame(
        "error",
        client_event_id=ref,
        error={
            "type": "invalid_request_error",
            "code": "tool_outputs_missing",
            "message": "no",
            "client_event_id": ref,
        },
    )
    actions = feed(c, error)
    assert warnings(actions) == ["response.create failed: no"]
    assert kinds(c, actions) == []


def test_a_refused_output_is_named_in_a_warning() -> None:
    c = core()
    delegated_batch(c, ("call_a", "fast"), ("call_b", "fast"))
    [send] = c.call_finished("call_a", "a")
    ref = send.event.event_id
    error = frame(
        "error",
        error={
            "type": "invalid_request_error",
            "code": "bad",
            "message": "too long",
            "client_event_id": ref,
        },
    )
    assert warnings(feed(c, error)) == ["the output for call_a was rejected: too long"]


def test_an_mcp_approval_request_goes_to_the_policy_and_its_answer_continues_the_response() -> None:
    c = core()
    request = {
        "type": "mcp_approval_request",
        "id": "mcpr_1",
        "server_label": "docs",
        "name": "delete",
        "arguments": '{"page": 3}',
    }
    actions = feed(
        c,
        delegated("del_1"),
        created("resp_1"),
        wrapped("del_1", "response.output_item.done", output_index=0, item=request),
        completed("resp_1"),
    )
    [approval] = [a for a in actions if isinstance(a, StartApproval)]
    assert approval.request == p.McpApprovalRequest(
        id="mcpr_1", server_label="docs", name="delete", arguments='{"page": 3}'
    )
    assert approval.response_id == "resp_1"
    answer = c.approval_decided("mcpr_1", False, "not today")
    assert sent(c, answer)[0]["item"] == {
        "type": "mcp_approval_response",
        "approval_request_id": "mcpr_1",
        "approve": False,
        "reason": "not today",
    }
    assert kinds(c, answer) == ["response.item.create:mcp_approval_response", "response.create"]


@pytest.mark.parametrize("item_done", [False, True], ids=["snapshot only", "both"])
def test_an_approval_request_listed_in_the_snapshot_goes_to_the_policy_once(
    item_done: bool,
) -> None:
    # The server waits for an answer to every request: one that only the response's end
    # lists (its output_item.done never came) must still be decided, and once.
    request = {
        "type": "mcp_approval_request",
        "id": "mcpr_2",
        "server_label": "docs",
        "name": "delete",
        "arguments": "{}",
    }
    done = [wrapped("del_1", "response.output_item.done", output_index=0, item=request)]
    actions = feed(
        c := core(),
        delegated("del_1"),
        created("resp_2"),
        *(done if item_done else []),
        completed("resp_2", output=[request]),
    )
    [approval] = [a for a in actions if isinstance(a, StartApproval)]
    assert (approval.request.id, approval.response_id) == ("mcpr_2", "resp_2")
    answer = c.approval_decided("mcpr_2", True, None)
    assert kinds(c, answer) == ["response.item.create:mcp_approval_response", "response.create"]


@pytest.mark.parametrize(
    ("kind", "fields", "said_"),
    [
        (
            "response.failed",
            {"error": {"code": "server_error", "message": "The backend failed."}},
            "failed: server_error: The backend failed.",
        ),
        (
            "response.incomplete",
            {"incomplete_details": {"reason": "max_output_tokens"}},
            "is incomplete: max_output_tokens",
        ),
    ],
)
def test_the_delegated_responses_failure_ends_it_with_a_warning(
    kind: str, fields: dict[str, Any], said_: str
) -> None:
    c = core()
    feed(c, delegated("del_1"), created("resp_1"), call_done("call_a", "fast"))
    ended = feed(
        c, wrapped("del_1", kind, response={"id": "resp_1", "status": kind.split(".")[1], **fields})
    )
    assert warnings(ended) == [f"the delegated response resp_1 {said_}"]
    assert c.orchestrator.active is None
    # The call still gets its output; the batch is asked for as on Realtime (the server says
    # whether the response can go on).
    assert (
        kinds(c, c.call_finished("call_a", "a"))[0] == "response.item.create:function_call_output"
    )


def test_an_error_in_the_delegated_stream_ends_its_response() -> None:
    c = core()
    feed(c, delegated("del_1"), created("resp_1"))
    ended = feed(c, wrapped("del_1", "error", code="rate_limit_exceeded", message="Slow down."))
    assert warnings(ended) == ["the delegated response failed: rate_limit_exceeded: Slow down."]
    assert c.orchestrator.active is None
    # A late terminal event for it changes nothing.
    assert not feed(
        c, wrapped("del_1", "response.failed", response={"id": "resp_1", "status": "failed"})
    )


def test_an_unreadable_inner_event_is_a_warning_not_a_failure() -> None:
    c = core()
    actions = c.receive_frame(
        frame(
            "response.event",
            delegation_id="d",
            event={"type": "response.output_item.done", "item": 7},
        )
    )
    assert any("response.event" in w for w in warnings(actions))


@pytest.mark.parametrize(
    ("request_", "feature"),
    [
        (lambda c: c.send_text("hi"), "typed user input"),
        (lambda c: c.commit_audio(), "input audio commit"),
        (lambda c: c.request_response(), "response.create of the app's own"),
        (lambda c: c.cancel_response(), "response.cancel"),
        (lambda c: c.interrupt(120), "truncate"),
    ],
)
def test_what_gpt_live_cannot_do_raises_naming_the_api(request_: Any, feature: str) -> None:
    with pytest.raises(UnsupportedByAPI, match=f"^GPT-Live has no {feature}: ") as info:
        request_(core())
    assert (info.value.api, info.value.feature) == ("GPT-Live", feature)


def test_the_realtime_api_has_no_commentary_or_thinking() -> None:
    realtime = RealtimeCore(lambda name, response_id: TRAITS.get(name))
    with pytest.raises(UnsupportedByAPI, match=r"^the Realtime API has no commentary: "):
        realtime.commentary("x", None)
    with pytest.raises(UnsupportedByAPI, match=r"^the Realtime API has no thinking: "):
        realtime.thinking("x", None)


def test_commentary_thinking_and_audio_frames() -> None:
    c = core()
    assert sent(c, c.commentary("It ships tomorrow.", "del_2"))[0] | {"event_id": None} == {
        "type": "session.commentary.append",
        "event_id": None,
        "content": "It ships tomorrow.",
        "delegation_id": "del_2",
    }
    # delegation_id is required on the wire, and null means the session in general.
    assert sent(c, c.thinking("Still looking.", None))[0]["delegation_id"] is None
    assert sent(c, c.append_audio(b"\x00\x01")) == [
        {"type": "session.input_audio.append", "audio": "AAE="}
    ]


def test_a_client_delegation_starts_the_hook_with_what_was_said_since_the_last_one() -> None:
    c = core()
    feed(c, said("input", "What's "), said("input", "my order?"), delegated("del_0", "client"))
    actions = feed(
        c,
        said("input", "Where is "),
        said("input", "order 7?"),
        said("output", "Let me check."),
        delegated("del_1", "client"),
    )
    said_again = [a.event for a in actions if isinstance(a, Emit)]
    assert [(e.type, e.role, e.delta) for e in said_again] == [
        ("transcript.delta", "user", "Where is "),
        ("transcript.delta", "user", "order 7?"),
        ("transcript.delta", "assistant", "Let me check."),
    ]
    assert [a for a in actions if not isinstance(a, Emit)] == [
        StartDelegation("del_1", (("user", "Where is order 7?"), ("assistant", "Let me check.")))
    ]
    assert feed(c, delegated("del_2", "responses")) == []


def test_history_holds_what_was_said_and_the_calls() -> None:
    c = core()
    feed(
        c,
        said("input", "Weather "),
        said("input", "in Paris?"),
        said("output", "Checking."),
        delegated("del_1"),
        created("resp_1"),
        call_done("call_a", "fast", '{"city": "Paris"}'),
    )
    for action in c.call_finished("call_a", "21 degrees"):
        if kinds(c, [action]):
            c.sent(action.event)
    assert [(type(i).__name__, getattr(i, "call_id", None)) for i in c.journal.items()] == [
        ("UserMessage", None),
        ("AssistantMessage", None),
        ("FunctionCall", "call_a"),
        ("FunctionCallOutput", "call_a"),
    ]
    assert c.journal.items()[0].content[0].text == "Weather in Paris?"


def test_an_outputs_journal_entry_is_written_after_its_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The journal's cost is paid after the turn's client events are sent (``journal``):
    noting the output as it goes writes nothing; its entry (the Realtime item it stands
    for) is written when the journal applies the write."""
    written: list[str] = []
    write = Accounts.output_sent

    def spy(self: Accounts, call_id: str, output: str, item_id: str | None) -> None:
        written.append(call_id)
        write(self, call_id, output, item_id)

    monkeypatch.setattr(Accounts, "output_sent", spy)
    c = core()
    feed(c, delegated("del_1"), created("resp_1"), call_done("call_a", "fast", "{}"))
    for action in c.call_finished("call_a", "21 degrees"):
        if kinds(c, [action]):
            c.sent(action.event)
    assert written == []
    (output,) = [i for i in c.journal.items() if isinstance(i, p.FunctionCallOutput)]
    assert written == ["call_a"]
    assert (output.id, output.call_id, output.output) == (
        output_item_id("call_a"),
        "call_a",
        "21 degrees",
    )


def test_an_output_held_to_send_again_keeps_no_second_copy_of_its_text() -> None:
    """Held until a response answers it, an output is its frame (to send again after a
    drop) and the journal's copy: the text it was made of is let go once it is sent."""
    c = core()
    feed(c, delegated("del_1"), created("resp_1"), call_done("call_a", "fast", "{}"))
    size = 50_000  # within the journal's bound of tokens: it keeps a copy
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for action in c.call_finished("call_a", "x" * size):
            if kinds(c, [action]):
                c.sent(action.event)
        del action
        c.journal.settle()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 2 * size <= kept < 2.5 * size  # the frame and the journal's copy, no third


def test_an_approval_answer_sent_is_journaled_as_the_realtime_answer() -> None:
    c = core()
    for approve in (True, False):
        answer = lp.McpApprovalResponse(approval_request_id=f"req_{approve}", approve=approve)
        c.sent(lp.ResponseItemCreate(event_id=f"e_{approve}", item=answer))
    kept = [(i.id, i.approval_request_id, i.approve) for i in c.journal.items()]
    ids = [answer_item_id("req_True"), answer_item_id("req_False")]
    assert kept == [(ids[0], "req_True", True), (ids[1], "req_False", False)]


def test_configure_starts_then_updates_and_the_replies_resolve() -> None:
    import rtagents

    @rtagents.tool
    def lookup(city: str) -> str:
        """Weather."""
        return city

    agent = rtagents.Agent(instructions="Be brief.", tools=[lookup])
    c = core()
    tools = [t.definition() for t in agent.sources.functions]
    ref, actions = c.configure(agent, tools=tools, tracing="auto")
    [start] = sent(c, actions)
    assert start["type"] == "session.start" and start["event_id"] == ref
    assert start["session"]["model"] == "gpt-live-1"
    assert start["session"]["delegation"]["responses"]["tools"][0]["name"] == "lookup"
    assert "tracing" not in json.dumps(start)
    session = {
        "id": "live_1",
        "model": "gpt-live-1",
        "expires_at": 1_900_000_000,
        "status": "active",
        "delegation": {"type": "responses", "responses": {"model": "gpt-5.5"}},  # (resolved)
    }
    reply = c.receive_frame(frame("session.started", client_event_id=ref, session=session))
    assert isinstance(reply[0], Resolve) and reply[0].event_id == ref
    assert (c.session_id, c.expires_at) == ("live_1", 1_900_000_000)

    ref, actions = c.configure(agent, tools=tools, tracing="auto")
    [update] = sent(c, actions)
    assert update["type"] == "session.update" and set(update["session"]) == {"delegation"}
    refused = c.receive_frame(
        frame(
            "error",
            error={
                "type": "invalid_request_error",
                "code": "bad",
                "message": "no",
                "param": "session.delegation",
                "client_event_id": ref,
            },
        )
    )
    assert isinstance(refused[0], Resolve) and refused[0].reply.error.param == "session.delegation"


def test_the_servers_session_closed_ends_the_session_and_is_not_delivered_as_such() -> None:
    # The framework's session.closed is the one the app sees (the names would clash).
    c = core()
    session = {"id": "live_1", "model": "gpt-live-1", "expires_at": 1, "status": "active"}
    actions = c.receive_frame(
        frame("session.closed", reason="expired", session=session, usage={"seconds": 61.0})
    )
    # Its usage is the final running total, told as one before the end (the meter counts it).
    final, end = actions
    assert final.event.type == "session.usage.updated" and final.event.usage.seconds == 61.0
    assert end == EndSession("GPT-Live ended the session: expired", True)
    actions = c.receive_frame(
        frame("session.closed", reason="close_requested", session=session, usage={"seconds": 1.0})
    )
    assert actions[-1] == EndSession("GPT-Live ended the session: close_requested", False)


def test_hosted_mcp_credentials_echoed_back_are_hidden() -> None:
    c = core()
    tool = {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://x",
        "authorization": "sk-secret",
        "headers": {"X-Key": "hush"},
    }
    session = {
        "id": "live_1",
        "model": "gpt-live-1",
        "expires_at": 1,
        "status": "active",
        "delegation": {"type": "responses", "responses": {"model": "gpt-5.5", "tools": [tool]}},
    }
    actions = c.receive_frame(frame("session.started", session=session))
    assert "sk-secret" not in json.dumps(c.config) and "hush" not in json.dumps(c.config)
    delivered = actions[0].event
    assert (
        "sk-secret" not in delivered.model_dump_json() and "hush" not in delivered.model_dump_json()
    )

"""The conversation's journal, sans I/O: what a new session is given back, within bounds."""

from __future__ import annotations

from rtagents import protocol as p
from rtagents.session.journal import Journal
from rtagents.session.journal_items import output_item_id


def user(item_id: str, text: str) -> p.UserMessage:
    return p.UserMessage(id=item_id, content=[p.UserContent(type="input_text", text=text)])


def call(call_id: str) -> p.FunctionCall:
    return p.FunctionCall(id=f"fc_{call_id}", call_id=call_id, name="f", arguments="{}")


def output(call_id: str) -> p.FunctionCallOutput:
    return p.FunctionCallOutput(id=output_item_id(call_id), call_id=call_id, output="ok")


def kinds(items: list[object]) -> list[str]:
    return [getattr(i, "id", "") for i in items]


def test_a_conversation_is_given_back_in_order_as_text() -> None:
    journal = Journal()
    journal.sent(user("u1", "hello"))
    spoken = p.AssistantMessage(
        id="a1", content=[p.AssistantContent(type="output_audio", transcript="hi there")]
    )
    journal.heard(spoken)
    audio = p.UserMessage(id="u2", content=[p.UserContent(type="input_audio", transcript=None)])
    journal.heard(audio)  # no transcript yet: its place is kept, nothing given back yet
    assert "u2" not in kinds(journal.replay())
    journal.heard(call("c1"))
    journal.sent(output("c1"))
    journal.transcribed("u2", "charge me")
    items = journal.replay()
    # The spoken turn keeps its place though its transcript came last.
    assert kinds(items) == ["u1", "a1", "u2", "fc_c1", output_item_id("c1")]
    assert items[1].content[0].model_dump(exclude_none=True) == {
        "type": "output_text",
        "text": "hi there",
    }
    assert items[2].content[0].text == "charge me"


def test_truncation_keeps_what_was_heard_and_deletion_removes() -> None:
    journal = Journal()
    journal.heard(
        p.AssistantMessage(
            id="a1", content=[p.AssistantContent(type="output_text", text="one two three four")]
        )
    )
    journal.truncated("a1", 0.5)
    assert journal.replay()[0].content[0].text == "one two"
    # Cut once: the server's word of the truncate we sent (kept when we sent it) cuts no more.
    journal.truncated("a1", 0.5)
    assert journal.replay()[0].content[0].text == "one two"
    late = p.AssistantMessage(
        id="a1", content=[p.AssistantContent(type="output_text", text="one two three four")]
    )
    journal.heard(late)  # a late copy of the whole answer does not come back in
    assert journal.replay()[0].content[0].text == "one two"
    journal.heard(
        p.AssistantMessage(id="a2", content=[p.AssistantContent(type="output_text", text="a b")])
    )
    journal.truncated("a2", 0.0)  # nothing heard: an empty place, never the whole answer
    journal.heard(
        p.AssistantMessage(id="a2", content=[p.AssistantContent(type="output_text", text="a b")])
    )
    assert [i.id for i in journal.replay()] == ["a1"]
    journal.sent(user("u1", "x"))
    journal.deleted("u1")
    assert len(journal.replay()) == 1 and len(journal) == 2  # the cut answers' places remain


def test_the_oldest_go_first_a_call_with_its_output_never_one_still_waiting() -> None:
    journal = Journal(max_items=4)
    journal.heard(call("waiting"))  # no output yet: kept whatever comes
    journal.heard(call("c1"))
    journal.sent(output("c1"))
    journal.sent(user("u1", "a"))
    journal.sent(user("u2", "b"))  # five items: the oldest that may go is c1, with its output
    assert kinds(journal.replay()) == ["fc_waiting", "u1", "u2"]
    assert journal.dropped == 1


def test_a_call_whose_output_was_deleted_is_no_longer_waiting_and_may_go() -> None:
    """An app that prunes its context deletes outputs: their calls were answered, so the
    journal stays within its bound (it once kept every such call, scanning them all on
    each new item)."""
    journal = Journal(max_items=10)
    for n in range(100):
        journal.heard(call(f"c{n}"))
        journal.sent(output(f"c{n}"))
        journal.deleted(output_item_id(f"c{n}"))
        request = p.McpApprovalRequest(id=f"r{n}", server_label="s", name="t", arguments="{}")
        journal.heard(request)
        journal.sent(p.McpApprovalResponse(id=f"a{n}", approval_request_id=f"r{n}", approve=True))
        journal.deleted(f"a{n}")
    assert len(journal) <= 10
    assert kinds(journal.replay())[-2:] == ["fc_c99", "r99"]


def test_the_token_bound() -> None:
    journal = Journal(max_tokens=100)
    for n in range(50):
        journal.sent(user(f"u{n}", "word " * 10))
    kept = journal.replay()
    assert 0 < len(kept) < 50 and kinds(kept)[-1] == "u49"


def test_a_sideband_call_gets_back_only_ours_it_may_have_missed() -> None:
    journal = Journal()
    journal.heard(call("c1"))
    journal.sent(output("c1"))
    journal.sent(user("u1", "hi"))
    journal.added("u1")  # the server has this one
    assert kinds(journal.replay(sideband=True)) == [output_item_id("c1")]
    # After a drop, what the server confirmed is still known to be there (the call's
    # conversation stays on it): sent again, it was refused as a duplicate, an error each.
    assert kinds(journal.replay(sideband=True)) == [output_item_id("c1")]


def test_output_ids_are_stable_and_short() -> None:
    assert output_item_id("call_abc") == output_item_id("call_abc") != output_item_id("call_abd")
    assert len(output_item_id("call_" + "x" * 200)) <= 32


def test_a_sideband_replay_after_a_drop_leaves_out_what_the_server_confirmed() -> None:
    from rtagents.session.actions import ToolTraits
    from rtagents.session.realtime import RealtimeCore

    core = RealtimeCore(lambda name, response_id: ToolTraits(), sideband=True)
    core.journal.sent(user("u1", "hi"))
    core.journal.added("u1")  # confirmed on the first connection
    core.journal.sent(user("u2", "there"))  # never confirmed
    core.disconnected()
    replayed = [action.event.item.id for action in core.replay()]
    assert replayed == ["u2"]  # not "u1": sent again, the server refused it as a duplicate

"""Rule (DESIGN: one ``response.create`` per batch, exactly-once outputs across reconnects;
``Batches.named``: a response whose events name our request sent before the drop answers
what that request asked for).

The batch's ``response.create`` goes, the connection drops, and the session attaches again.
The server's answer to that request is a delegation announced without its ``response_id``;
its first event names the request (``client_event_id``) and no ``response.created`` comes.
``LiveCore._on_response_event`` reads the response the event is of *before*
``DelegatedWork.event`` begins it, so it gives ``batches.named`` the response created last
(an older, finished one): the output stays "seen by" a response that never ends. It is
reported unanswered, and the next drop asks for its batch a second time. With
``response.created`` seen (the control) the batch is asked for once."""

from __future__ import annotations

import pytest

from .frames import busy, completed, created, delegated, wrapped
from .test_held import answer_batch, attached_core, go, sent_again

MESSAGE = {
    "type": "message",
    "id": "msg_1",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "output_text", "text": "Done.", "annotations": []}],
}


@pytest.mark.parametrize("seen_created", [True, False], ids=["created seen", "begun implicitly"])
def test_the_answer_named_by_its_first_event_answers_the_batch_once(seen_created: bool) -> None:
    core = attached_core()
    first = answer_batch(core, "del_1", "call_a")
    assert sent_again(core) == ["call_a"]  # a drop before any answer
    [second] = go(core, core.resumed())  # asked again on the attached connection
    core.receive_frame(delegated("del_2"))  # the answer: no response id
    if seen_created:
        core.receive_frame(created("resp_2", "del_2", ref=first))
    item_done = wrapped("del_2", "response.output_item.done", first, output_index=0, item=MESSAGE)
    core.receive_frame(item_done)
    core.receive_frame(busy(second))
    core.receive_frame(completed("resp_2", "del_2", ref=first))
    assert core.orchestrator.batches.unanswered() == []
    sent_again(core)  # a later drop
    assert go(core, core.resumed()) == [], "the batch was asked for again after a later drop"

"""Regression (429f746): ``call_finished(cancelled=True)`` clears the batch's ``unseen``
outputs: from then on nothing tracks them. The rule relies on "the user's own turn brings
the next response", but when that turn never produces a response (here: the connection
drops right after the barge-in, losing the user's uncommitted audio; likewise an app's
``interrupt()`` with no turn after it, or turn detection with ``create_response: false``),
the batch's finished outputs are never answered: the reconnect asks for nothing, though
DESIGN.md says it "asks for a response ... if a batch was waiting". Before the change the
batch was still owed and the new connection asked for it.

Right behaviour: the batch's outputs stay owed (just not asked for while the user holds
the turn): the next response seen answers them, and a drop before one owes them again."""

from __future__ import annotations

from itertools import count

from rtagents.session.actions import AskResponse, ToolTraits
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.states import LinkInput

TRAITS = {"fast": ToolTraits(), "slow": ToolTraits(cancel_on_interrupt=True)}


def test_a_batch_cut_by_a_barge_in_is_still_owed_after_a_drop() -> None:
    refs = count(1)
    o = Orchestrator(lambda name, rid: TRAITS.get(name), lambda: f"e{next(refs)}")
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c_fast", "fast", "{}", "r1", "item_fast")
    o.call_arrived("c_slow", "slow", "{}", "r1", "item_slow")
    o.response_ended("r1")
    o.call_finished("c_fast", "booked: #42")  # waits for c_slow
    o.output_confirmed("c_fast")
    assert o.barge_in("the user started speaking")  # c_slow is cancelled
    o.call_finished("c_slow", "cancelled", cancelled=True)
    # The connection drops before the user's turn gets any response.
    o.link_event(LinkInput.DROPPED)
    o.link_event(LinkInput.REOPENED)
    asked = o.owed()
    assert any(isinstance(d, AskResponse) and "c_fast" in d.call_ids for d in asked), (
        f"the batch's output c_fast is never answered: {asked!r}"
    )

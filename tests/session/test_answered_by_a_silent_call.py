"""CHANGELOG (Reconnects): "A call a response makes now counts as its answer" - the call
"carries the next turn" (orchestrator.call_arrived's docstring). That holds only for a call
that asks for a reply. r2 answers c1's output by calling ``log_it``, a
``trigger_response=False`` tool, then the connection drops before r2's end. ``call_arrived``
marks c1's output answered by r2 whatever the call's traits, and c2 asks for no turn: after
the reconnect nothing asks for a response at all - the user, whose answer r2 was cut off,
hears nothing (before this change c1's output was owed again and answered).

Right behaviour: only a call that wants a reply (its output asks for the next turn) counts
as the answer; with a ``trigger_response=False`` call, c1's output is still owed after the
drop (one response.create on the new connection)."""

from rtagents.session.actions import AskResponse, ToolTraits
from rtagents.session.orchestrator import Orchestrator
from rtagents.session.states import LinkInput


def traits(name: str, rid: object) -> ToolTraits:
    return ToolTraits(trigger_response=name != "log_it")


def test_a_silent_call_does_not_count_as_the_answer_after_a_drop() -> None:
    o = Orchestrator(traits, "e")
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "first", "{}", "r1", "item_c1")
    o.response_ended("r1")
    [ask] = [d for d in o.call_finished("c1", "one") if isinstance(d, AskResponse)]
    o.output_confirmed("c1")
    o.response_started("r2", in_conversation=True)  # answers c1 ...
    o.call_arrived("c2", "log_it", "{}", "r2", "item_c2")  # ... by a call that asks nothing
    o.call_finished("c2", "logged")
    o.link_event(LinkInput.DROPPED)  # before r2's response.done: its answer never came
    o.link_event(LinkInput.REOPENED)
    asks = [d for d in o.owed() if isinstance(d, AskResponse)]
    assert len(asks) == 1, asks

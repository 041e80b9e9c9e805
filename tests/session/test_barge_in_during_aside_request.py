"""Half-done (e4887e9): ``Fillers.interrupted`` cancels only an aside already *speaking*
(``_speaking``). An aside asked for (``response.create`` sent) but not started yet when the
user barges in is left alone, so it starts right after the barge-in and speaks over the user,
the very thing the change set out to stop. (``call_done`` handles the same window with
``_stale``: "cancelled as it starts".)

Right behaviour: a barge-in while our aside is asked for cancels it as it starts
(``CancelResponse`` on its ``response.created``), as a barge-in while it speaks does."""

from __future__ import annotations

from itertools import count

from rtagents.session.actions import CancelResponse, SayAside, ToolTraits
from rtagents.session.orchestrator import Orchestrator


def test_a_barge_in_while_the_aside_is_asked_for_cancels_it_as_it_starts() -> None:
    refs = count(1)
    o = Orchestrator(lambda name, rid: ToolTraits(), lambda: f"e{next(refs)}")
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "slow", "{}", "r1", "item_c1")
    o.response_ended("r1")
    said = o.progress("c1", "Looking it up")
    assert any(isinstance(d, SayAside) for d in said)  # asked for, not started yet
    o.barge_in("the user started speaking")  # the user takes the turn meanwhile
    started = o.response_started("r_aside", in_conversation=False, aside=True)
    assert any(isinstance(d, CancelResponse) and d.response_id == "r_aside" for d in started), (
        f"the aside asked for before the barge-in starts and talks over the user: {started!r}"
    )

"""Regression review (regress3) of 7f54016 (``DelegatedWork.sees``, ``live_records``).

Which delegation a batch is of is read from the record of the response that made its calls
(``DelegatedWork._begun``), of which the latest 32 are kept. A delegation whose tool runs
long while another delegation works through a tool loop (each round a response of its own)
loses that record; once both wait at once, ``has_outputs`` knows nothing of the forgotten
batch (``None``: "taken to have it"), so the response that goes on with the other delegation
for our request counts its output as answered. Nothing asks the first delegation to go on:
its backend response waits for ever. With a few rounds fewer it is asked for, as it must be."""

from __future__ import annotations

import pytest

from .frames import call_done, completed, created, delegated
from .test_held import go, named_server


@pytest.mark.parametrize("rounds", [8, 40])
def test_a_long_call_is_continued_after_a_long_tool_loop(rounds: int) -> None:
    core = named_server()
    core.receive_frame(delegated("del_1", rid="resp_1"))  # its call runs long
    core.receive_frame(created("resp_1", "del_1"))
    core.receive_frame(call_done("slow", "fast", delegation_id="del_1"))
    go(core, core.receive_frame(completed("resp_1", "del_1")))
    core.receive_frame(delegated("del_2", rid="loop_0"))  # a tool loop, round by round
    core.receive_frame(created("loop_0", "del_2"))
    ref = None
    for n in range(rounds):
        core.receive_frame(call_done(f"d{n}", "fast", delegation_id="del_2"))
        assert go(core, core.call_finished(f"d{n}", str(n))) == []  # (loop_n still runs)
        [ref] = go(core, core.receive_frame(completed(f"loop_{n}", "del_2", ref=ref)))
        core.receive_frame(created(f"loop_{n + 1}", "del_2", ref=ref))  # goes on with del_2
    core.receive_frame(call_done("last", "fast", delegation_id="del_2"))
    assert go(core, core.call_finished("slow", "done at last")) == []  # (loop_n runs)
    assert go(core, core.call_finished("last", "x")) == []
    [ask] = go(core, core.receive_frame(completed(f"loop_{rounds}", "del_2", ref=ref)))
    core.receive_frame(created("next", "del_2", ref=ask))  # goes on with del_2: "last" only
    after = go(core, core.receive_frame(completed("next", "del_2", ref=ask)))
    assert len(after) == 1, (
        f"after {rounds} rounds of delegation 2, delegation 1's output (slow) was taken as "
        f"answered by delegation 2's response: asks {after}, unanswered "
        f"{core.orchestrator.batches.unanswered()}; delegation 1 waits for ever"
    )

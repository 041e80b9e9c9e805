"""The journal past its bound when calls wait for their outputs: linear time, and a bound that
holds. Past it, the oldest waiting calls are the last to go: they are forgotten for a replay
(never for the live session, which still answers them), their outputs are not kept, and the
app is told with a ``session.warning``."""

from __future__ import annotations

import gc
import time
from typing import Any

from rtagents.session.actions import Emit, Send, StartCall, ToolTraits
from rtagents.session.events import SessionWarning
from rtagents.session.journal import Journal
from rtagents.session.journal_items import output_item_id
from rtagents.session.realtime import RealtimeCore

from .frames import ev
from .test_journal import kinds, output, user


def test_waiting_calls_past_the_bound_are_forgotten_oldest_first() -> None:
    journal = Journal(max_items=10)
    journal.sent(user("u0", "hello"))
    for n in range(30):
        journal.called(f"c{n}", "f", "{}", f"fc_c{n}")
    assert len(journal) == 10
    # The message went first (it may go any time); then the oldest waiting calls.
    assert kinds(journal.replay()) == [f"fc_c{n}" for n in range(20, 30)]
    assert (journal.dropped, journal.forgotten) == (21, 20)
    # A forgotten call's output is not kept (a new session would not know its call).
    journal.sent(output("c3"))
    assert output_item_id("c3") not in kinds(journal.replay()) and len(journal) == 10
    # A kept call, once answered, is free to go, with its output, before any waiting call.
    journal.sent(output("c25"))
    assert kinds(journal.replay()) == [f"fc_c{n}" for n in range(20, 30) if n != 25]
    assert (journal.dropped, journal.forgotten) == (22, 20)


def test_answered_items_go_before_any_waiting_call() -> None:
    journal = Journal(max_items=6)
    for n in range(4):
        journal.called(f"w{n}", "f", "{}", f"fc_w{n}")  # waiting throughout
    for n in range(10):
        journal.called(f"c{n}", "f", "{}", f"fc_c{n}")
        journal.sent(output(f"c{n}"))
    assert journal.forgotten == 0
    assert kinds(journal.replay())[:4] == [f"fc_w{n}" for n in range(4)]
    assert kinds(journal.replay())[4:] == ["fc_c9", output_item_id("c9")]


def _drive(n: int) -> tuple[float, list[Any]]:
    """``n`` calls of one response, all waiting, then all answered, through the core."""
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    warnings: list[Any] = []
    gc.collect()
    gc.disable()  # a collection's pause grows with the heap, not with this code's work
    started = time.process_time()
    core.receive(ev("response.created", response={"id": "r", "status": "in_progress"}))
    for i in range(n):
        actions = core.receive(
            ev(
                "response.function_call_arguments.done",
                response_id="r",
                item_id=f"item_{i}",
                output_index=0,
                call_id=f"c{i}",
                name="f",
                arguments="{}",
            )
        )
        actions += core.settle()  # each frame a burst of its own, as the runner reads it
        assert any(isinstance(a, StartCall) for a in actions)
        warnings += [a.event for a in actions if isinstance(a, Emit)]
    core.receive(ev("response.done", response={"id": "r", "status": "completed", "output": []}))
    outputs = 0
    for i in range(n):
        for action in core.call_finished(f"c{i}", "ok"):
            if isinstance(action, Send):  # as the runner tells the core of each send
                core.sent(action.event)
                outputs += action.event.type == "conversation.item.create"
    assert outputs == n  # every output went to the journal, timed with the rest
    elapsed = time.process_time() - started
    gc.enable()
    assert len(core.journal) <= core.journal.max_items
    return elapsed, [w for w in warnings if isinstance(w, SessionWarning)]


def test_twenty_thousand_waiting_calls_take_linear_time() -> None:
    small = min(_drive(5_000)[0] for _ in range(2))
    large, warnings = _drive(20_000)
    large = min(large, _drive(20_000)[0])  # a busy machine's stall is not the code's
    # Four times the calls: about four times the time (it was sixteen, and 79 s at 20,000).
    assert large < 8 * small, (small, large)
    # The app is told once per connection that waiting calls were forgotten, not 19,600 times.
    assert len(warnings) == 1 and "not be given back" in warnings[0].message, warnings


def test_items_the_server_deletes_leave_nothing_behind() -> None:
    """An app that prunes the conversation deletes items before any bound is reached: what
    the journal keeps to find the next item to let go stays in proportion to what it holds."""
    journal = Journal(max_items=400)
    for n in range(10_000):
        journal.sent(user(f"u{n}", "hi"))
        journal.deleted(f"u{n}")
    assert len(journal) == 0 and len(journal._free or ()) <= 64

"""Regression review of 45a229d (``Batches.sees``, docs/live.md: "when two [delegations] wait
at once, the response that names our request has its own delegation's outputs only, and the
other's are asked for again once it ends ... (none is taken as answered by another
delegation's response)").

A drop in between undoes it. The response that continues delegation 1 for our request is
under way when the connection drops; the session attaches again, and the first event of that
response naming our request goes to ``Batches.named`` (a request sent before the drop), which
marks *every* output the request asked for as seen by that response, delegation 2's too: it
never asks ``sees``. Once the response ends, delegation 2's output counts as answered, and
nothing asks its delegated response to go on: it waits for ever (the bug 45a229d fixed,
back after a drop)."""

from __future__ import annotations

import contextlib

import anyio
import pytest

import rtagents
from rtagents import Reconnect

from .frames import BUSY, busy, call_done, completed, created, delegated, snapshot
from .server import live_session, lookup
from .test_held import attached_core, go

FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@pytest.mark.anyio
async def test_other_delegation_is_asked_for_after_a_drop_in_between() -> None:
    agent = rtagents.Agent(tools=[lookup])
    async with live_session(agent, reconnect=FAST) as (server, _):
        ref = await server.both_waiting()
        # The server continues delegation 1 (one request: one delegation goes on)...
        await server.stream(
            "del_1", "response.created", ref, response=snapshot("resp_3", "in_progress")
        )
        # ...and the connection drops while it streams; the session attaches again.
        await server.drop()
        [update] = await server.expect("session.update")
        await server.send(
            "session.updated",
            client_event_id=update["event_id"],
            session={"id": "live_1", "status": "active", **server.session},
        )
        # A request sent again meanwhile is refused: resp_3 still streams there.
        with anyio.move_on_after(1):
            again = await server.expect("response.create", 2)
            error = {
                "type": "invalid_request_error",
                "code": BUSY,
                "message": "Conversation already has an active response in progress",
                "client_event_id": again[-1]["event_id"],
            }
            await server.send("error", error=error)
        before = len(server.of("response.create"))
        # resp_3 ends (naming our request): it went on with delegation 1's output only.
        await server.stream(
            "del_1", "response.completed", ref, response=snapshot("resp_3", "completed")
        )
        with contextlib.suppress(TimeoutError):
            await server.expect("response.create", before + 1, within=3)
        after = len(server.of("response.create"))
    assert after == before + 1, (
        "delegation 2's output (call_b) was taken as answered by delegation 1's response "
        f"after the drop: nothing asks delegation 2 to go on (response.create sent {after} "
        f"time(s), {before} before resp_3 ended)"
    )


def test_sans_io_named_after_a_drop_keeps_the_other_delegations_output_owed() -> None:
    core = attached_core()
    for n in (1, 2):  # both under way at once, each making a call
        core.receive_frame(delegated(f"del_{n}", rid=f"resp_{n}"))
        core.receive_frame(created(f"resp_{n}", f"del_{n}"))
        core.receive_frame(call_done(f"c{n}", "fast", delegation_id=f"del_{n}"))
    for n in (1, 2):
        assert go(core, core.call_finished(f"c{n}", str(n))) == []
    assert go(core, core.receive_frame(completed("resp_1", "del_1"))) == []
    [ask] = go(core, core.receive_frame(completed("resp_2", "del_2")))  # one, for both
    core.receive_frame(created("resp_3", "del_1", ref=ask))  # the server goes on with del_1
    core.disconnected()  # it drops while resp_3 streams; the session attaches again
    go(core, core.replay())
    for again in go(core, core.resumed()):
        go(core, core.receive_frame(busy(again)))  # resp_3 still streams there
    after = go(core, core.receive_frame(completed("resp_3", "del_1", ref=ask)))
    assert len(after) == 1, (
        f"delegation 2's output c2 was taken as answered by resp_3 (delegation 1's): asked "
        f"{after} after it ended, unanswered {core.orchestrator.batches.unanswered()}"
    )

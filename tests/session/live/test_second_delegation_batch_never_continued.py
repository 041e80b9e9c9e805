"""Two delegations wait for their calls' outputs at once. GPT-Live's ``response.create``
continues *one* delegated response waiting for tool results (the SDK: "continue a delegated
response waiting for tool results"; the emulator: "the first delegated response whose calls
all have their outputs goes on"), so each delegation's batch needs a request of its own
(docs/live.md: "one ``response.create`` goes once every call of the backend's turn has its
output").

Delegation 1's call answers at once and its batch's ``response.create`` goes; delegation 2's
call answers a moment later, while that request is still in flight (the server has not
started its response yet). The response that then continues delegation 1 is taken for the
answer to delegation 2's output too (on the Realtime API a response sees the whole
conversation: here it is another delegation's), so delegation 2's response is never asked
to go on: its output is sent, and nothing ever continues it."""

from __future__ import annotations

import contextlib
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.session.actions import ToolTraits
from rtagents.session.live import LiveCore
from tests.session.live.frames import call_done, completed, created, delegated, sent
from tests.session.live.server import live_session


def _delegation(did: str, rid: str) -> dict[str, Any]:
    return {"type": "delegation", "id": did, "target": "responses", "response_id": rid}


@pytest.mark.anyio
async def test_each_waiting_delegation_gets_its_own_response_create() -> None:
    gate = anyio.Event()

    @rtagents.tool
    async def first(x: str) -> str:
        """First."""
        return f"first {x}"

    @rtagents.tool
    async def second(x: str) -> str:
        """Second."""
        await gate.wait()
        return f"second {x}"

    agent = rtagents.Agent(tools=[first, second])
    async with live_session(agent) as (server, _):
        # Delegation 2's backend response is announced (and waits) first, then
        # delegation 1's: both wait for their outputs at once.
        await server.delegate_calls("del_2", "resp_2", ("call_b", "second", '{"x":"b"}'))
        await server.delegate_calls("del_1", "resp_1", ("call_a", "first", '{"x":"a"}'))
        # Delegation 1's call answers, and its batch is asked for.
        [ask_1] = await server.expect("response.create")
        # Delegation 2's call answers while that request is in flight.
        gate.set()
        await server.expect("response.item.create", 2)
        # The server continues delegation 1 (the only one complete when it read the
        # request), naming the request; that response ends.
        ref = ask_1["event_id"]
        snapshot = {"id": "resp_3", "object": "response", "output": []}
        for kind, status in (
            ("response.created", "in_progress"),
            ("response.completed", "completed"),
        ):
            await server.send(
                "response.event",
                delegation_id="del_1",
                client_event_id=ref,
                event={
                    "type": kind,
                    "sequence_number": 1,
                    "response": {**snapshot, "status": status},
                },
            )
        # Delegation 2's response still waits for a response.create to go on.
        with contextlib.suppress(TimeoutError):
            await server.expect("response.create", 2, within=3)
        asks = len(server.of("response.create"))
    outputs = [f["item"]["call_id"] for f in server.of("response.item.create")]
    assert sorted(outputs) == ["call_a", "call_b"]
    assert asks == 2, (
        "delegation 2's batch (call_b) was never asked for: its delegated response waits "
        f"for ever (response.create sent {asks} time(s))"
    )


def _asks(core: LiveCore, actions: list[Any]) -> list[str]:
    return [f["event_id"] for f in sent(core, actions) if f["type"] == "response.create"]


def test_outputs_of_two_delegations_asked_at_once_are_each_continued() -> None:
    """Sans I/O: both delegations' outputs are in when one request goes; the response that
    names it goes on with one delegation (its own outputs only); the other's are asked for
    again once it ends, never counted as answered by it."""
    core = LiveCore(lambda name, rid: ToolTraits())
    for n in (1, 2):  # both under way at once, each making a call
        core.receive_frame(delegated(f"del_{n}", rid=f"resp_{n}"))
        core.receive_frame(created(f"resp_{n}", f"del_{n}"))
        core.receive_frame(call_done(f"c{n}", "lookup", delegation_id=f"del_{n}"))
    for n in (1, 2):  # the outputs go as the responses run: nothing is asked yet
        assert _asks(core, core.call_finished(f"c{n}", str(n))) == []
    assert _asks(core, core.receive_frame(completed("resp_1", "del_1"))) == []  # (resp_2 runs)
    [ask] = _asks(core, core.receive_frame(completed("resp_2", "del_2")))  # one, for both
    core.receive_frame(created("resp_3", "del_1", ref=ask))  # the server goes on with del_1
    again = _asks(core, core.receive_frame(completed("resp_3", "del_1", ref=ask)))
    assert len(again) == 1, "delegation 2's output was taken as answered by delegation 1's"
    core.receive_frame(created("resp_4", "del_2", ref=again[0]))
    assert _asks(core, core.receive_frame(completed("resp_4", "del_2", ref=again[0]))) == []

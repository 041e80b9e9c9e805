"""Rule (Reconnect's docs): a new connection proves healthy only once it is configured and
then finishes a response, or stays up ``healthy_after`` seconds; ``attempts`` connections in
a row that fail or drop before that end the session with a reason.

``LiveCore.resumed`` answers the calls a drop cut off and ends their response for us
(``DelegatedWork.cut_off`` -> ``Orchestrator.response_ended``), which counts it in
``responses_done`` *after* ``Reconnector.set_up`` read it: a re-attached connection that
drops again before any response finished looks healthy, the attempt streak resets, and a
server that keeps dropping mid-call is reconnected to for ever."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel
from tests.session.live.harness import speak

pytestmark = pytest.mark.anyio


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the customer's card."""
    return f"charged {amount}"


async def test_a_connection_that_only_answered_cut_calls_is_not_healthy() -> None:
    model = ScriptedModel([CallFunction("charge", {"amount": n}) for n in range(8)])
    agent = rtagents.Agent(tools=[charge])
    settings = Reconnect(attempts=2, backoff=0.01, max_backoff=0.02, healthy_after=60)
    attempts: list[int] = []
    # Every connection drops as the backend announces a call: none finishes a response.
    fault = DropConnection(after="response.output_item.added")
    async with Emulator(model=model, faults=[fault]) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=settings) as s:
            await speak(s)
            with anyio.move_on_after(6):
                async for event in s:
                    if event.type == "session.reconnecting":
                        attempts.append(event.attempt)
                    if len(attempts) == 2:
                        break
                else:
                    pytest.fail(f"the session ended first: {attempts}")
    assert attempts == [1, 2], (
        f"attempts {attempts}: the re-attached connection dropped before finishing any "
        "response, yet counted as healthy (the streak started again)"
    )

"""``session.approve(request_id)`` takes the request's id; an app that passes the request
itself (``event.request``, what ``approval.awaiting`` carries) gets ``TypeError:
unhashable type: 'dict'`` from deep inside the broker (a dict lookup with a frozen dataclass
whose ``arguments`` is a dict), a message that names neither ``approve`` nor what to pass.
A public API should say what is wrong ("approve takes the request's id, a str") or accept
the request."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

from .test_fail_closed import transfer

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_approve_given_the_request_says_what_it_takes() -> None:
    agent = rtagents.Agent(
        name="a", tools=[transfer], approval=ApprovalPolicy(timeout=5), output_modalities=["text"]
    )
    model = ScriptedModel([CallFunction("transfer", {"to": "ann", "amount": 5}), "ok"])
    raised: list[BaseException] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("go")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "approval.awaiting":
                        try:
                            await session.approve(event.request)  # type: ignore[arg-type]
                        except Exception as exc:
                            raised.append(exc)
                        await session.deny(event.request.id)
                        break
                else:
                    pytest.fail("the session ended first")
    [exc] = raised
    assert "unhashable" not in str(exc), repr(exc)
    assert isinstance(exc, TypeError) and "event.request.id" in str(exc)

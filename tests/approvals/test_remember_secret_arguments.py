"""``remember="session"`` approves "every identical" request: "the same tool with the same
arguments" (docs/approvals.md). The memory is keyed by ``ApprovalRequest.fingerprint()``,
``json.dumps(..., default=str)`` of the arguments the tool receives, and for a function tool
those are the validated values: a ``pydantic.SecretStr`` is ``str()``-ed to ``'**********'``
whatever it holds. A yes remembered for ``wire(account="acct-1", pin=...)`` then approves
the same tool with any other secret, unasked."""

from __future__ import annotations

import anyio
import pytest
from pydantic import SecretStr

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_a_remembered_yes_does_not_approve_another_secret() -> None:
    ran: list[str] = []

    @rtagents.tool(needs_approval=True)
    def set_door_code(door: str, code: SecretStr) -> str:
        """Set the code of a door."""
        ran.append(code.get_secret_value())
        return "set"

    asked: list[str] = []

    def handler(request: ApprovalRequest) -> Decision:
        code = request.arguments["code"].get_secret_value()
        asked.append(code)
        # The owner approves this one code for the session, and no other.
        return Decision(code == "1234", remember="session")

    agent = rtagents.Agent(
        name="home",
        tools=[set_door_code],
        approval=ApprovalPolicy(handler=handler, timeout=5),
        output_modalities=["text"],
    )
    model = ScriptedModel(
        [
            CallFunction("set_door_code", {"door": "front", "code": "1234"}, call_id="a"),
            "First done.",
            CallFunction("set_door_code", {"door": "front", "code": "0000"}, call_id="b"),
            "Second done.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(20):
                await session.ask("set the front door code to 1234")
                events = await session.ask("now set it to 0000")
    decided = [(e.approve, e.decided_by) for e in events if e.type == "approval.decided"]
    assert ran == ["1234"], (ran, asked, decided)
    assert asked == ["1234", "0000"]

"""docs/approvals.md: "after `timeout` seconds without an answer, a deny. The deadline
decides ... not even a yes from a handler that ignores its cancellation (a prompt it
shields ...)", and the deny goes at the deadline: a hosted request's
``mcp_approval_response`` (and ``approval.decided``) is sent then, not when the shielded
prompt returns (the server waits for the answer, and the turn with it)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest
from rtagents.emulator import Emulator, ScriptedModel

from ..approvals.test_fail_closed import HOSTED, inject_hosted

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

TIMEOUT_S = 0.2
PROMPT_S = 2.5  # how long the person at the shielded prompt takes


async def shielded_prompt(request: ApprovalRequest) -> bool:
    with anyio.CancelScope(shield=True):  # a prompt the app will not have torn down
        await anyio.sleep(PROMPT_S)
    return True


async def test_the_timeouts_deny_is_sent_at_the_deadline_not_when_the_prompt_returns() -> None:
    agent = rtagents.Agent(
        name="a",
        tools=[HOSTED],
        approval=ApprovalPolicy(handler=shielded_prompt, timeout=TIMEOUT_S),
        output_modalities=["text"],
    )
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            decided: list[tuple[float, Any]] = []
            session.on("approval.decided")(lambda e: decided.append((anyio.current_time(), e)))
            start = anyio.current_time()
            await inject_hosted("docs", "delete_all", "{}")(session, emu)

            def answers() -> list[dict[str, Any]]:
                return [
                    e["item"]
                    for e in emu.last.received
                    if e.get("type") == "conversation.item.create"
                    and e["item"].get("type") == "mcp_approval_response"
                ]

            with anyio.move_on_after(TIMEOUT_S + 1.5):
                while not answers():
                    await anyio.sleep(0.02)
            waited = anyio.current_time() - start
            sent = answers()
            assert sent and sent[0]["approve"] is False, (
                f"{waited:.1f} s after the request ({TIMEOUT_S} s timeout) no answer was sent "
                f"(approval.decided: {[(round(t - start, 1), e.decided_by) for t, e in decided]});"
                f" it waits for the shielded handler ({PROMPT_S} s)"
            )

"""App approval code that raises ``SystemExit`` or ``KeyboardInterrupt`` (a handler, a
``needs_approval`` predicate, sync or async) denies the call, which is answered and never
runs; the session ends, and ``connect`` raises the exception (never the event loop)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def _raising(kind: str) -> Any:
    if kind == "sync":

        def quit_now(*args: Any) -> bool:
            raise SystemExit("bye")

        return quit_now

    async def quit_soon(*args: Any) -> bool:
        raise SystemExit("bye")

    return quit_soon


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("where", ["handler", "needs_approval"])
async def test_approval_code_that_exits_denies_and_connect_raises_it(kind: str, where: str) -> None:
    ran: list[str] = []
    check = _raising(kind) if where == "needs_approval" else True

    @rtagents.tool(needs_approval=check)
    async def transfer() -> str:
        """Moves money."""
        ran.append("ran")
        return "moved"

    handler = _raising(kind) if where == "handler" else (lambda request: True)
    agent = rtagents.Agent(
        name="bank",
        tools=[transfer],
        output_modalities=["text"],
        approval=ApprovalPolicy(handler=handler),
    )
    seen: list[Any] = []
    async with Emulator(model=ScriptedModel([CallFunction("transfer", {}), "Done."])) as emu:
        with pytest.raises(SystemExit, match="bye"), anyio.fail_after(10):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                session.on("*")(seen.append)
                await session.send_text("Move it.")
                async for _ in session:
                    pass
    assert ran == []
    [failed] = [e for e in seen if e.type == "tool.call.failed"]
    assert failed.kind == "denied" and "SystemExit" in failed.message
    assert seen[-1].type == "session.closed" and seen[-1].error

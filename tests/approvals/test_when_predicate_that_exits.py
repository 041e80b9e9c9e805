"""App approval code that raises ``SystemExit`` (a handler, a ``needs_approval`` check)
denies the call, which is answered and reported (one ``approval.decided``), the session ends
and ``connect`` raises the exit, "never the event loop" (tests/approvals/test_exits.py). A
rule's ``when`` predicate is approval code too (docs/approvals.md: "the handler, a `when`
predicate or `needs_approval` raised ... `error`"), but ``Rule.matches`` runs it in
``ApprovalBroker._decide`` and ``_screened`` (``veto_for``) where only ``Exception`` is
caught: the ``SystemExit`` escapes ``decide`` with no ``approval.decided``, the call is
reported ``cancelled`` instead of denied, and the exit goes through the event loop (the
call's task dies with it, "Task exception was never retrieved"); ``connect`` raises
``CancelledError``, not the exit. (Run in a child process: in pytest's own process the exit
escaping the loop takes pytest down.)"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.timeout(60)]

CHILD = textwrap.dedent(
    """
    import json, sys
    import anyio
    import rtagents
    from rtagents import ApprovalPolicy, allow, deny
    from rtagents.emulator import CallFunction, Emulator, ScriptedModel

    needs = sys.argv[1] == "asks"
    ran = []

    @rtagents.tool(needs_approval=needs)
    async def transfer() -> str:
        '''Moves money.'''
        ran.append("ran")
        return "moved"

    def leave(arguments):
        raise SystemExit("bye")

    async def main():
        rule = allow(when=leave) if needs else deny(when=leave)
        agent = rtagents.Agent(
            name="bank", tools=[transfer], output_modalities=["text"],
            approval=ApprovalPolicy(rules=[rule], handler=lambda request: True),
        )
        seen, raised = [], None
        async with Emulator(model=ScriptedModel([CallFunction("transfer", {}), "Done."])) as emu:
            try:
                with anyio.fail_after(10):
                    async with rtagents.connect(agent, transport=emu.transport()) as session:
                        session.on("*")(seen.append)
                        await session.send_text("Move it.")
                        async for _ in session:
                            pass
            except BaseException as exc:
                raised = type(exc).__name__
        print("RESULT " + json.dumps({
            "ran": ran,
            "raised": raised,
            "decided": [[e.approve, e.decided_by] for e in seen if e.type == "approval.decided"],
            "failed": [e.kind for e in seen if e.type == "tool.call.failed"],
        }), flush=True)

    try:
        anyio.run(main)
    except SystemExit:
        pass
    """
)


@pytest.mark.parametrize("needs", ["asks", "waived"])
def test_a_when_predicate_that_exits_denies_reports_and_connect_raises_it(needs: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, needs], capture_output=True, text=True, timeout=50
    )
    [line] = [ln for ln in child.stdout.splitlines() if ln.startswith("RESULT ")]
    result = json.loads(line[len("RESULT ") :])
    assert result["ran"] == []
    assert result["decided"] == [[False, "error"]], result
    assert result["failed"] == ["denied"], result
    assert result["raised"] == "SystemExit", result
    assert "Task exception was never retrieved" not in child.stderr, child.stderr[-2000:]

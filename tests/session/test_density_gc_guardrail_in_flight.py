"""Rule broken (docs/deployment.md, "Many sessions in one process"): "a closed session is
freed by reference counting alone, as soon as the app lets go of it: no part of it is left in
a reference cycle" (``test_density_gc.py`` checks an idle session and one with a tool call).

Not for a session that ends while one of its guardrail checks runs: a caller hangs up while
an input guardrail (a moderation request) reads what they said, or while an output guardrail
reads the answer as it streams (one check every 300 ms). ``SessionGuards._run`` runs the
checks in an anyio task group; the session's end cancels the check, and anyio's ``task_done``
keeps the ``CancelledError`` in a local of the frame its traceback holds: a cycle, through the
tracebacks to the check's frames, which hold the session's guard parts (``SessionGuards``,
``GuardCore`` with the conversation's text, ``SessionBack``). Only a collection frees them.
"""

from __future__ import annotations

import gc
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def ours(garbage: list[Any]) -> list[str]:
    """The session's objects among ``garbage`` (not the emulator's, nor the wire models the
    emulator also makes)."""
    names = []
    for obj in garbage:
        module = type(obj).__module__ or ""
        if module.startswith("rtagents.") and not module.startswith(
            ("rtagents.emulator", "rtagents.protocol")
        ):
            names.append(f"{module}.{type(obj).__qualname__}")
    return sorted(names)


@pytest.mark.parametrize("kind", ["input", "output"])
async def test_a_session_closed_during_a_guardrail_check_leaves_no_cyclic_garbage(
    kind: str,
) -> None:
    started = anyio.Event()

    async def moderation(text: str) -> GuardrailResult:
        started.set()
        await anyio.sleep(30)  # a moderation request, still out when the caller hangs up
        return PASS

    guardrails = (
        Guardrails(input=[moderation]) if kind == "input" else Guardrails(output=[moderation])
    )
    agent = rtagents.Agent(name="desk", guardrails=guardrails, output_modalities=["text"])

    async def hang_up_during_a_check(url: str) -> None:
        nonlocal started
        started = anyio.Event()
        async with rtagents.connect(agent, url=url) as session:
            await session.send_text("hello there, I would like to talk about my order")
            with anyio.fail_after(10):
                await started.wait()

    async with Emulator(model=ScriptedModel(["Of course, let me look."] * 10)) as emu:
        await hang_up_during_a_check(emu.url)  # imports and caches: not a session's
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                await hang_up_during_a_check(emu.url)
            await anyio.sleep(0.1)  # the closes' last callbacks
            gc.set_debug(gc.DEBUG_SAVEALL)
            found = gc.collect()
            left = ours(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    assert left == [], f"{len(left)} objects of closed sessions in cycles ({found} in all): {left}"

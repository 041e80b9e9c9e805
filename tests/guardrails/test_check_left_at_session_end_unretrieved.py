"""A guardrail check runs in a task of its own (``SessionGuards._verdict``). Given up at its
deadline, what it raises later is read (``_left_behind``), but when the session ends while
it runs, the task is cancelled and dropped with no one to read its end: a check whose
cleanup fails as it is cancelled (a moderation client that errors as it closes) ends with an
exception nobody retrieves, and asyncio logs "Task exception was never retrieved" with its
traceback, as for a bug of the app's."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


class ModerationDown(Exception):
    pass


async def test_a_check_still_running_at_the_end_leaves_no_unretrieved_exception() -> None:
    started, finished = anyio.Event(), anyio.Event()
    reported: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))

    async def moderated(text: str) -> GuardrailResult:
        started.set()
        try:
            await anyio.sleep(30)  # a moderation request, slow
        finally:
            finished.set()
            # Its client's cleanup fails as the request is cancelled (the session's end).
            raise ModerationDown("the moderation client failed to close")
        return PASS

    agent = rtagents.Agent(name="desk", guardrails=Guardrails(input=[moderated], timeout=10))
    try:
        async with Emulator(model=ScriptedModel(["Fine."])) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.send_text("hello")
                with anyio.fail_after(5):
                    await started.wait()
            # The session is over; its check ends now.
            with anyio.fail_after(5):
                await finished.wait()
            for _ in range(5):
                await asyncio.sleep(0)
            gc.collect()
            for _ in range(5):
                await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    never_retrieved = [c for c in reported if "never retrieved" in str(c.get("message"))]
    assert never_retrieved == []

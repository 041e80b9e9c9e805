"""A supervisor's ``app.hangup`` of a call that has just been answered, while its listing
in the registry is on its way (Redis is slow: here stalled, so the listing waits its 2 s).
``app.calls`` says the call is ``active``; ``app.hangup`` must hang it up (or wait for the
moment it can), not raise ``CallNotFound`` saying the call "is active, not active"."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import anyio
import pytest

from tests.calls.test_redis_stalled import SECRET, stalled_after_claim

pytestmark = pytest.mark.anyio


async def test_a_hangup_of_a_call_just_answered_is_not_refused(tmp_path: Path) -> None:
    async with stalled_after_claim(tmp_path) as (emu, app, base, pid):
        outcome: object = None
        try:
            call_id = emu.place_call(f"{base}/openai/webhook", SECRET)
            with anyio.fail_after(5):
                while not (call_id in app.calls and app.calls[call_id].state == "active"):
                    await anyio.sleep(0.01)
            assert emu.desk.calls[call_id].status == "accepted"
            try:
                await app.hangup(call_id)
            except Exception as exc:
                outcome = exc
        finally:
            os.kill(pid, signal.SIGCONT)
        assert outcome is None, f"app.hangup of an active call raised: {outcome!r}"
        with anyio.fail_after(10):
            while emu.desk.calls[call_id].status != "ended":
                await anyio.sleep(0.02)

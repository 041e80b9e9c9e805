"""``on_delegation`` has the agent's tool_timeout, as a tool has: a hook that shields its lookup
and answers after it is given up at the deadline (the model is told it failed), and its late
answer is never said (``_either.answer_within``, the rule of every app check with a
deadline)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session.live.server import live_session

pytestmark = pytest.mark.anyio


async def test_a_shielded_hook_past_tool_timeout_is_not_said() -> None:
    async def hook(delegation: Any) -> str:
        with anyio.CancelScope(shield=True):  # a lookup a client library shields
            await anyio.sleep(0.6)
        return "LATE ANSWER"

    agent = rtagents.Agent(instructions="Help.", on_delegation=hook, tool_timeout=0.2)
    async with live_session(agent) as (server, _session):
        delegation = {"type": "delegation", "id": "del_1", "target": "client"}
        started = anyio.current_time()
        await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
        with anyio.move_on_after(2):
            while not [
                e
                for k in ("session.commentary.append", "session.thinking.append")
                for e in server.of(k)
                if e.get("delegation_id") == "del_1"
            ]:
                await anyio.sleep(0.02)
        waited = anyio.current_time() - started
        commentary = [e for e in server.of("session.commentary.append")]
        thinking = [e for e in server.of("session.thinking.append")]
    assert not commentary, f"the late answer was said: {commentary}"
    assert thinking, "the model was never told the hook failed"
    assert waited < 0.5, f"the answer waited {waited:.2f} s past a 0.2 s tool_timeout"

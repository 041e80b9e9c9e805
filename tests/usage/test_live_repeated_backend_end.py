"""A GPT-Live backend response whose end the server tells twice is counted once, as a
Realtime ``response.done`` repeated is (docs/usage.md: each response counted once)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.live.frames import snapshot
from tests.session.live.server import live_session

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_a_repeated_backend_end_is_counted_once() -> None:
    agent = rtagents.Agent(instructions="x", live=rtagents.LiveOptions(delegation="responses"))
    usage = {"input_tokens": 100, "output_tokens": 10, "total_tokens": 110}
    async with live_session(agent) as (server, session):
        await server.delegate_calls("del_1", "resp_1", complete=False)  # (created, no call)
        for _ in range(2):
            done = snapshot("resp_1", "completed", model="gpt-5.5", usage=usage)
            await server.stream("del_1", "response.completed", response=done)
        await anyio.sleep(0.3)
        counted = session.usage
    assert counted.responses == 1, counted
    assert counted.input_tokens == 100, counted

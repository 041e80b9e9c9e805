"""A message given back to a new connection is the framework's own: the server's echo of
it is never the user speaking again (session/realtime.py ``replay``; adapter.py
``own_message``). An input guardrail reads each user message once (docs/guardrails.md).
That holds for every message a reconnect gives back, as many as the journal keeps
(``Reconnect(max_items=)``, the app's to set: docs/session.md), not only the latest 512."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Reconnect
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

MESSAGES = 600
read: list[str] = []


def counting(text: str) -> GuardrailResult:
    read.append(text)
    return PASS


async def test_messages_given_back_are_not_read_again_as_the_users() -> None:
    read.clear()
    agent = rtagents.Agent(name="chat", guardrails=Guardrails(input=[counting]), tracing=None)
    settings = Reconnect(
        backoff=0.01, max_backoff=0.05, jitter=0, max_items=2000, max_tokens=1_000_000
    )
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url, reconnect=settings) as session:
            session.on("*")(events.append)
            for i in range(MESSAGES):
                await session.send_text(f"message {i}", respond=False)
            with anyio.fail_after(20):
                while (
                    len(server.sent("conversation.item.create")) < MESSAGES or len(read) < MESSAGES
                ):
                    await anyio.sleep(0.05)
            await server.drop("close 1011")
            with anyio.fail_after(20):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.05)
                while len(server.sent("conversation.item.create")) < 2 * MESSAGES:
                    await anyio.sleep(0.05)
            await anyio.sleep(1.0)  # the echoes of the replay, and any checks they start
    twice = sorted((t for t, n in Counter(read).items() if n > 1), key=lambda t: int(t.split()[1]))
    assert not twice, f"{len(twice)} messages given back were read again as new: {twice[:3]}..."

"""docs/session.md: "Events come in the order the server sent them, then what they led to."

A sync handler that raises on an event is reported as a ``session.warning`` ("handler ...
raised on X"), but that warning is put in the buffer before X itself: the stream calls the
handlers first and buffers the event after them, and the failing handler's warning is
delivered from inside that call. An ``async for`` reads "handler raised on
conversation.item.added" before the ``conversation.item.added`` it is about.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_a_handlers_warning_comes_after_the_event_it_failed_on() -> None:
    agent = rtagents.Agent(name="h")
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("conversation.item.added")
                def broken(event: Any) -> None:
                    raise RuntimeError("the dashboard is down")

                await session.send_text("hello", respond=False)
                kinds: list[str] = []
                async for event in session:
                    kinds.append(event.type)
                    if event.type == "conversation.item.added":
                        break
                else:
                    pytest.fail("no conversation.item.added")
                if session._runner.stream:
                    kinds.append((await session.__anext__()).type)
    assert kinds.index("conversation.item.added") < kinds.index("session.warning"), kinds

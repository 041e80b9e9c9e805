"""How a session ends: once, with ``session.closed`` the last the app hears of the server,
and what a sync handler raises past ``Exception`` on the end's own events leaves ``connect``
as itself, whichever task of the session's ended it (never through the event loop)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents

from .hostile import hostile_server
from .live.server import live_server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("how", ["close 1011", "reset"])
async def test_a_handler_raising_on_the_end_a_drop_brings_leaves_connect(how: str) -> None:
    """The reader ends the session after a drop: a ``SystemExit`` from a handler of
    ``session.closed`` is raised by ``connect``, not by the event loop."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        seen: list[str] = []
        with pytest.raises(SystemExit, match="bye"), anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url, reconnect=None) as session:
                session.on("session.closed")(lambda event: seen.append(event.type))

                @session.on("session.closed")
                def quit_now(event: Any) -> None:
                    raise SystemExit("bye")

                if how == "reset":
                    server.reset()
                else:
                    await server.close(1011, "internal error")
                async for _ in session:
                    pass
    assert seen == ["session.closed"]


async def test_a_second_exit_raised_on_the_end_of_a_first_leaves_connect_as_the_first() -> None:
    """A handler's ``SystemExit`` ends the session; another handler's, on ``session.closed``,
    cannot escape the task that ended it: ``connect`` raises the first."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with pytest.raises(SystemExit) as info, anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:

                @session.on("rate_limits.updated")
                def quit_now(event: Any) -> None:
                    raise SystemExit(1)

                @session.on("session.closed")
                def quit_again(event: Any) -> None:
                    raise SystemExit(2)

                await server.send({"type": "rate_limits.updated", "rate_limits": []})
                async for _ in session:
                    pass
    assert info.value.code == 1


async def test_nothing_the_server_sent_after_its_end_is_told_after_session_closed() -> None:
    """GPT-Live's ``session.closed`` ends the session at once; frames the server sent after
    it, already read into the socket's buffer, are not told after the framework's own
    ``session.closed`` (which is the last event the app hears of the session)."""
    async with live_server() as server:
        seen: list[str] = []
        with anyio.fail_after(10):
            async with rtagents.connect(rtagents.Agent(), url=server.url, api="live") as session:
                session.on("*")(lambda event: seen.append(event.type))
                resource = {
                    "id": "live_1",
                    "model": "gpt-live-1",
                    "expires_at": 1,
                    "status": "active",
                }
                await server.send(
                    "session.closed", reason="expired", session=resource, usage={"seconds": 6.0}
                )
                for n in range(5):
                    await server.send(
                        "session.output_transcript.delta", delta=f"late {n}", start_ms=0, end_ms=1
                    )
                async for _ in session:
                    pass
                await anyio.sleep(0.2)  # what the reader would still have read
    assert "session.closed" in seen
    assert seen[seen.index("session.closed") :] == ["session.closed"]

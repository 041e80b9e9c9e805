"""Rule broken: a session goes on or closes with a reason - it must not spin. With
``Reconnect(handover_before_s=S)`` and a server whose sessions last less than ``S`` (the
handover is due the moment each session is created), the session hands over to a fresh
session, which is due at once too, and so on: a new connection and a full replay of the
conversation every quarter second, for as long as the app runs, with no warning and no
end. (``connect`` already refuses the handover where a reconnect re-attaches to the same
cap, for the same reason: "it reconnected every quarter second until the cap".)
Over a real loopback socket.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_a_fresh_session_is_not_handed_over_again_at_once() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    events: list[Any] = []
    settings = Reconnect(handover_before_s=5, backoff=0.01)
    async with Emulator(model=ScriptedModel(["x"]), max_session_s=3.0) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            session.on("*")(events.append)
            await anyio.sleep(2.0)  # well within the first session's 3 s cap
        connections = len(emu.connections)
    handovers = [e for e in events if e.type == "session.reconnected"]
    assert connections <= 2 and len(handovers) <= 1, (
        f"{len(handovers)} handovers and {connections} connections in 2 s"
    )


async def test_the_app_is_told_once_why_there_is_no_handover() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    warnings: list[str] = []
    settings = Reconnect(handover_before_s=5, backoff=0.01)
    async with Emulator(model=ScriptedModel(["x"]), max_session_s=3.0) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            session.on("session.warning")(lambda e: warnings.append(e.message))
            await anyio.sleep(1.0)
    assert len([w for w in warnings if "handover_before_s=5" in w]) == 1, warnings


async def test_a_session_that_outlives_the_window_is_still_handed_over() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    events: list[Any] = []
    settings = Reconnect(handover_before_s=1, backoff=0.01)
    async with Emulator(model=ScriptedModel(["x"]), max_session_s=3.0) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=settings) as session:
            session.on("*")(events.append)
            with anyio.fail_after(10):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.05)
        assert len(emu.connections) >= 2
    assert not any(e.type == "session.warning" for e in events)


@pytest.mark.parametrize(
    "options",
    [
        {"handover_before_s": -1},
        {"handover_before_s": float("nan")},
        {"handover_before_s": 0},
        {"backoff": float("nan")},
        {"max_backoff": float("inf")},
        {"jitter": float("nan")},
    ],
)
def test_settings_that_cannot_be_honoured_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Reconnect(**options)

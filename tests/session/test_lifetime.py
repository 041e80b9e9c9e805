"""``async with connect(...)`` keeps the session, not the call that opened it (issue #36:
what thousands of idle sessions keep, the collector scans on every full collection); its
arguments are checked when it is called, and it opens one session (over a real socket)."""

from __future__ import annotations

import gc

import pytest

import rtagents
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

AGENT = rtagents.Agent(name="plain", output_modalities=["text"])


class Deps:
    """The app's own state: the session keeps it (its tools are given it), nothing else."""


def kept_by(obj: object) -> list[object]:
    """What ``obj`` keeps that the collector scans (its class aside)."""
    return [r for r in gc.get_referents(obj) if gc.is_tracked(r) and not isinstance(r, type)]


async def test_an_open_session_keeps_none_of_what_opened_it() -> None:
    async with Emulator() as emu:
        deps = Deps()
        opened = rtagents.connect(AGENT, url=emu.url, deps=deps, max_buffered_events=7)
        async with opened as session:
            kept = kept_by(opened)
            assert session in kept
            # The session and its runner only: no generator frame holding every argument
            # and local of the setup, no copies of the arguments.
            assert {type(ref).__name__ for ref in kept} == {"RealtimeSession", "SessionRunner"}
            assert session.deps is deps
        assert session.closed_reason is not None
        assert not kept_by(opened)


async def test_a_bad_argument_is_refused_when_connect_is_called() -> None:
    with pytest.raises(rtagents.ConnectError, match="ws:// or wss://"):
        rtagents.connect(AGENT, url="http://127.0.0.1:1")


async def test_it_opens_one_session() -> None:
    async with Emulator() as emu:
        opened = rtagents.connect(AGENT, url=emu.url)
        async with opened as session:
            assert session.closed_reason is None
        with pytest.raises(RuntimeError, match="enter it once"):
            async with opened:
                pytest.fail("a second session from one connect(...)")

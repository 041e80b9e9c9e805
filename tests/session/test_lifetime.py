"""``async with connect(...)`` keeps the session, not the call that opened it (issue #36:
what thousands of idle sessions keep, the collector scans on every full collection); its
arguments are checked when it is called, and it opens one session (over a real socket).
What the block, or the agent's local MCP servers, raise leaves it as an ``async with``
around them would let it (as the ``asynccontextmanager`` it replaced did)."""

from __future__ import annotations

import gc
import sys
import traceback
from types import TracebackType
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator
from rtagents.mcp import MCPServer

pytestmark = pytest.mark.anyio

if sys.version_info >= (3, 11):
    GROUP: Any = ExceptionGroup  # noqa: F821  (a builtin from 3.11)
else:  # pragma: no cover
    from exceptiongroup import ExceptionGroup as GROUP

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


class Fake(MCPServer):
    """A local MCP server of the app's own (a subclass, as the ABC invites): no process,
    no tools; it records how it was left, and may fail on entry."""

    def __init__(self, name: str, fail: BaseException | None = None) -> None:
        super().__init__(name)
        self.fail = fail
        self.exited_with: Any = "never exited"

    def _target(self) -> Any:
        return None

    async def __aenter__(self) -> MCPServer:
        if self.fail is not None:
            raise self.fail
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        self.exited_with = e
        return None


class Scoped(Fake):
    """A server whose client holds a cancel scope in the caller's task (as MCP clients'
    task groups do): it may cancel the block, and its exit takes that cancellation back."""

    async def __aenter__(self) -> MCPServer:
        self.scope = anyio.CancelScope()
        self.scope.__enter__()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        self.exited_with = e
        return self.scope.__exit__(t, e, tb)


def agent_with(*servers: MCPServer) -> rtagents.Agent:
    return rtagents.Agent(name="a", output_modalities=["text"], tools=list(servers))


async def test_a_server_failing_to_connect_leaves_the_others_with_its_exception() -> None:
    """The second server fails on entry: the first is left with that failure, as an
    ``async with`` around both would leave it: its failure goes on through the servers' exit."""
    first, second = Fake("first"), Fake("second", fail=ConnectionError("no such server"))
    async with Emulator() as emu:
        with pytest.raises(ConnectionError):
            async with rtagents.connect(agent_with(first, second), url=emu.url):
                pytest.fail("the second server never connected")
    assert isinstance(first.exited_with, ConnectionError)  # not a clean exit


async def test_an_exception_group_from_a_servers_connect_comes_out_as_one_exception() -> None:
    """A server's connect raising an ExceptionGroup (a task group in its __aenter__) comes
    out of connect as one exception, never a group."""
    boom = GROUP("unhandled errors in a TaskGroup", [ValueError("boom")])
    async with Emulator() as emu:
        with pytest.raises(Exception) as info:
            async with rtagents.connect(agent_with(Fake("s", fail=boom)), url=emu.url):
                pytest.fail("the server never connected")
    assert not hasattr(info.value, "exceptions"), info.value  # not a group
    assert isinstance(info.value, rtagents.SessionClosedError)
    assert "ValueError: boom" in str(info.value)


async def test_a_cancellation_a_server_takes_back_on_exit_does_not_leave_connect() -> None:
    """The server cancels its own scope (its transport ended, say): the block is cancelled,
    and the server's exit takes that cancellation back. Nothing of the app's asked for it:
    it goes no further than connect, as it would go no further than an ``async with``
    around the server."""
    server = Scoped("scoped")
    after = False
    async with Emulator() as emu:
        with anyio.fail_after(10):
            async with rtagents.connect(agent_with(server), url=emu.url):
                server.scope.cancel()
                await anyio.sleep_forever()
            after = True
    assert after
    assert isinstance(server.exited_with, anyio.get_cancelled_exc_class())


async def test_a_stop_iteration_raised_in_the_block_leaves_connect_as_itself() -> None:
    """Not ``RuntimeError: coroutine raised StopIteration`` (PEP 479): the block's own."""
    async with Emulator() as emu:
        with pytest.raises(StopIteration):
            async with rtagents.connect(agent_with(), url=emu.url):
                next(iter(()))


@pytest.mark.parametrize("exc", [ValueError, KeyboardInterrupt])
async def test_the_blocks_exception_keeps_its_own_traceback(exc: type[BaseException]) -> None:
    """What the block raised leaves connect as it was raised: no frames of rtagents' end,
    and the block's line, not the ``async with`` line, where it happened."""
    async with Emulator() as emu:
        try:
            async with rtagents.connect(agent_with(), url=emu.url):
                raise exc("mine")
        except exc as caught:
            frames = traceback.extract_tb(caught.__traceback__)
    names = [frame.name for frame in frames]
    assert names == ["test_the_blocks_exception_keeps_its_own_traceback"], names
    assert frames[0].line == 'raise exc("mine")'

"""What ``async with rtagents.connect(...)`` does on entry and on exit.

A class, not an ``asynccontextmanager``: that would keep a generator whose frame holds every
argument of ``connect`` and every local of its setup, plus the context manager's own copies
of the arguments, for as long as the session is open. An idle process holds thousands of
sessions, and the collector scans each of those objects on every full collection (#36).
This keeps four references.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic

import anyio

from ..errors import RtagentsError, SessionClosedError, is_group, root_cause
from .session import DepsT, RealtimeSession
from .tooling import connect_servers

if TYPE_CHECKING:
    from ..agent import Agent
    from .runner import SessionRunner

Opening = Callable[[], Awaitable[tuple["Agent", RealtimeSession[Any], "SessionRunner"]]]
"""What opens the session: ``connect``'s arguments checked, the transport open, the
session made (not started)."""

_ENTER = "write `async with rtagents.connect(...) as session:`, and use the session inside it"


class SessionLifetime(Generic[DepsT]):
    """The session ``connect`` opens, from ``async with`` to the end of its block.

    On entry the agent's local MCP servers connect and the session starts (configured). On
    exit the session closes, its tasks end, then its MCP servers, and tool code still
    running gets its grace. What the block raised is raised again after all that, as it
    was; an ``ExceptionGroup`` from below comes out as the one exception it holds.
    """

    __slots__ = ("__weakref__", "_let_go", "_opening", "_runner", "_servers", "_session")

    def __init__(self, opening: Opening) -> None:
        self._opening: Opening | None = opening
        self._session: RealtimeSession[DepsT] | None = None
        self._runner: SessionRunner | None = None
        self._servers: AsyncExitStack | None = None
        self._let_go: Callable[[], None] | None = None

    def hold(self, let_go: Callable[[], None]) -> None:
        """What the session holds until its end (its secrets): ``let_go`` is called then."""
        self._let_go = let_go

    async def __aenter__(self) -> RealtimeSession[DepsT]:
        opening, self._opening = self._opening, None  # its arguments are let go of now
        if opening is None:
            raise RuntimeError("a connect(...) opens one session: enter it once")
        agent, session, runner = await opening()
        self._session, self._runner = session, runner
        mcp = agent.sources.servers
        try:
            if mcp:
                # MCP clients run task groups of their own: they are entered before the
                # session's tasks and left after them, so that the scopes nest and close in
                # order.
                self._servers = servers = AsyncExitStack()
                await servers.__aenter__()
                try:
                    await connect_servers(servers, mcp)
                except BaseException as exc:
                    with anyio.CancelScope(shield=True):
                        if isinstance(exc, Exception):  # failed, not the app's close
                            await runner.finish(str(exc) or type(exc).__name__, error=True)
                        await session.close()
                    raise
            try:
                await runner.start(agent)
            except Exception as exc:
                # The session failed to start (a refused configuration, say): it ends so,
                # with why, not as an app's close (a no-op if it ended already).
                await runner.finish(str(exc) or type(exc).__name__, error=True)
                await self._end(exc, failed=False)  # raises exc (or the app's fatal)
            except BaseException:  # cancelled while setting up: the connection closes too
                with anyio.CancelScope(shield=True):
                    await session.close()
                raise
        except BaseException as exc:
            if self._runner is not None:  # a failure of the setup, not ended yet
                await self._end(exc, failed=True)
                # A server's exit took it back (a cancellation of its own): nothing opened.
                raise SessionClosedError("the session ended while it was being opened") from exc
            raise
        return session

    if not TYPE_CHECKING:  # (for the type checker these stay errors it reports itself)

        def __getattr__(self, name: str) -> Any:  # ``session = connect(...)``; ``session.x``
            if name.startswith("__"):
                raise AttributeError(name)
            raise AttributeError(f"connect(...) is not the session ({name!r} is its): {_ENTER}")

        def __await__(self) -> Any:
            raise TypeError(f"connect(...) is not awaited: {_ENTER}")

        def __enter__(self) -> Any:
            raise TypeError(f"connect(...) opens a session with async with: {_ENTER}")

        def __exit__(self, *exc: object) -> None:
            return None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if self._runner is None:
            return False
        # As contextlib's ``asynccontextmanager`` does with what its generator raises: the
        # block's own exception is left to the interpreter to raise, with its own traceback.
        try:
            await self._end(exc, failed=False)
        except BaseException as leaving:
            own = leaving is exc or (  # a StopIteration comes out of a coroutine wrapped
                isinstance(exc, (StopIteration, StopAsyncIteration)) and leaving.__cause__ is exc
            )
            if not own:
                raise
            assert exc is not None
            exc.__traceback__ = tb
            return False
        return exc is not None  # a server's exit took the block's exception back

    async def _end(self, exc: BaseException | None, *, failed: bool) -> None:
        """The end, with ``exc`` what the block (or the start) raised: an ``Exception`` is
        raised again once all is done; anything else goes on through the end as it
        happens. ``failed``: ``exc`` is a failure of the setup (the session closed already),
        which goes on through the end whatever it is, the MCP servers' exit included."""
        session, runner, servers = self._session, self._runner, self._servers
        assert session is not None and runner is not None
        self._session = self._runner = self._servers = None
        # The users' own exception (or ours), never an ExceptionGroup: carried out by hand.
        raised: BaseException | None = None
        try:
            try:
                try:
                    try:
                        if exc is not None:
                            raise exc
                    except Exception as caught:
                        if failed:
                            raise
                        raised = caught
                    finally:
                        if not failed:
                            await session.close()
                finally:
                    # The session's tasks are its own (see tasks.SessionTasks), not a task
                    # group's: they are cancelled and waited for here, as at a group's
                    # exit, also when the block is cancelled (the wait is shielded).
                    runner.tasks.end()
                    with anyio.CancelScope(shield=True):
                        await runner.tasks.join()
            except BaseException as leaving:
                if servers is None or not await servers.__aexit__(
                    type(leaving), leaving, leaving.__traceback__
                ):
                    raise
            else:
                if servers is not None:
                    await servers.__aexit__(None, None, None)
        except BaseException as leaving:
            if not is_group(leaving):
                raise
            # Every task of ours reports its own failures, so this is a bug or a
            # BaseException from below: surfaced as one exception, never as a group.
            raised = raised or _one(leaving)
        finally:
            try:
                # Tool code let go of gets its grace also when the block was cancelled (a
                # ``move_on_after`` around it): it may be rolling back. Its handlers of what
                # it tells then (``tool.call.abandoned``) are waited for too, as the end's were.
                with anyio.CancelScope(shield=True):
                    await runner.let_go()
                    await runner.tasks.join()
            finally:
                runner.release()  # a closed session is freed by reference counting alone
                let_go, self._let_go = self._let_go, None
                if let_go is not None:
                    let_go()  # its secrets (the closed session logs no more)
        fatal = runner.fatal
        if fatal is not None:  # the app asked to stop (what the block raised came of it)
            if raised is not None and raised is not fatal and fatal.__context__ is None:
                fatal.__context__ = raised
            raise fatal
        if raised is not None:
            raise raised


def _one(group: BaseException) -> BaseException:
    leaves: list[BaseException] = []
    todo: list[BaseException] = [group]
    while todo:
        exc = todo.pop()
        if is_group(exc):
            todo.extend(getattr(exc, "exceptions", ()))
        else:
            leaves.append(exc)
    first = leaves[0] if leaves else group
    if isinstance(first, Exception) and not isinstance(first, RtagentsError):
        return SessionClosedError(f"the session failed: {root_cause(first, None)}")
    return first

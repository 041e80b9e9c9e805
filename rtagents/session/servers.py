"""The session's listener of the local MCP servers its agent uses (see
``MCPServer.subscribe``): a change of a server's tools takes the agent afresh and sends the
new configuration; a server's failure is told to the app."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from ..mcp import MCPServer, MCPServerFailed, MCPTool, MCPToolsChanged
from ..mcp.errors import said
from .events import SessionWarning

if TYPE_CHECKING:
    from ..agent import Agent
    from ..tools import Toolset
    from .offers import Taking
    from .tasks import SessionTasks


class _Runner(Protocol):
    """What the listener uses of the session's runner."""

    agent: Agent
    tools: Toolset
    tasks: SessionTasks

    def deliver(self, event: Any, size: int = 0) -> None: ...

    def use(self, agent: Agent, keep_for: str | None = None, how: Taking = "switch") -> None: ...

    async def configure(self, agent: Agent, *, force: bool = False) -> bool: ...


class ServerWatch:
    """One session's subscriptions to its agent's local MCP servers."""

    def __init__(self, runner: _Runner) -> None:
        self._runner = runner
        self._subscriptions: tuple[Callable[[], None], ...] = ()
        # The servers being listed again, each with whether it changed again meanwhile:
        # made when first needed (an idle session keeps no dict for it).
        self._relisting: dict[MCPServer, bool] | None = None

    def follow(self, servers: Iterable[MCPServer]) -> None:
        """Listen to ``servers`` (the agent the session takes now), and only to them."""
        self.stop()
        self._subscriptions = tuple(server.subscribe(self) for server in servers)

    def stop(self) -> None:
        for unsubscribe in self._subscriptions:
            unsubscribe()
        self._subscriptions = ()

    # The listener (see mcp.local.ServerListener).
    def tools_changed(self, server: MCPServer) -> None:
        # One listing at a time a server, and one more for every change that came during it:
        # a burst of notifications is one refresh and one session.update, not one each.
        relisting = self._relisting
        if relisting is None:
            relisting = self._relisting = {}
        if server in relisting:
            relisting[server] = True
            return
        relisting[server] = False
        self._runner.tasks.adopt(self._refresh, server)  # (told from the server's own task)

    def server_failed(self, server: MCPServer, exc: BaseException) -> None:
        # Told from the server's own task: delivered from one of the session's, in its context
        # (the handlers' ``current_call()`` is this session's call, not the first sharer's).
        failed = MCPServerFailed(server.name, said(exc))  # (the cause, in an exception group)
        self._runner.tasks.adopt(_tell, self._runner, failed)

    async def _refresh(self, server: MCPServer) -> None:
        try:
            await self._relist(server)
        except Exception as exc:  # the session keeps what it had (no hint of it counts)
            said_why = f"MCP server {server.name!r}: its new tool list was not taken: {said(exc)}"
            self._runner.deliver(SessionWarning(said_why, {"server": server.name}))

    async def _relist(self, server: MCPServer) -> None:
        runner, relisting = self._runner, self._relisting
        assert relisting is not None
        try:
            while True:
                relisting[server] = False
                await server.refresh()
                runner.use(runner.agent, how="again")
                await runner.configure(runner.agent)
                # What the session now offers from the server, as it sent it: the tools its
                # filters keep, under the names the model sees (a prefix, a rename on a clash).
                offered = [t for t in runner.tools if isinstance(t, MCPTool) and t.server is server]
                runner.deliver(MCPToolsChanged(server.name, tuple(t.name for t in offered)))
                if not relisting.get(server):
                    return
        finally:
            relisting.pop(server, None)


async def _tell(runner: _Runner, event: Any) -> None:
    runner.deliver(event)

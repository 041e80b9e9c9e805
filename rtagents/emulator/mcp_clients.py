"""The emulator's side of hosted MCP that does I/O: connections to the servers a session
names, made with the ``mcp`` client over streamable HTTP, and only to allowed hosts."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
from anyio import TASK_STATUS_IGNORED
from anyio.abc import TaskGroup, TaskStatus
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

from ..errors import root_cause
from ..mcp.tools import every_tool, result_text
from .actions import HostedResult

log = logging.getLogger("rtagents.emulator")
_LET_GO_S = 2.0  # how long the clients may take to end their sessions on the servers
HOSTED_MCP_TIMEOUT_S = 30.0
"""How long a hosted MCP request (connecting and listing a server's tools, or calling one,
connecting first if need be) may take before the emulator fails it, as the API fails the
listing or the call of a server that does not answer and goes on with the session. The
API's own limit is not documented; 30 s is the MCP library's default for an HTTP request
(its other bound, a 300 s read, is for a stream held open: a hung server would hold the
response that long), and longer than a caller waits on a voice turn anyway."""


class HostedMCPClients:
    """One connection's MCP clients, by server label. Each client lives in a task of its
    own (an ``mcp`` client must be closed by the task that opened it), in the task group
    ``held`` keeps for the connection's life; ``close()`` lets them all go."""

    def __init__(
        self,
        allowed_host: Callable[[str], bool] = lambda host: True,
        timeout_s: float = HOSTED_MCP_TIMEOUT_S,
    ) -> None:
        self._allowed_host = allowed_host
        self._timeout_s = timeout_s
        self._clients: dict[str, Client] = {}
        self._tg: TaskGroup | None = None
        self._closing = anyio.Event()

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """The clients' task group, for the connection's life. At its end each is let go,
        not cancelled (for at most ``_LET_GO_S`` then), so that it ends its session on the
        server (a DELETE): else the server keeps one for every connection that used it."""
        async with anyio.create_task_group() as tg:
            self._tg = tg
            try:
                yield
            finally:
                self.close()
                tg.cancel_scope.deadline = anyio.current_time() + _LET_GO_S

    async def list_tools(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        """Connect to the server ``config`` names and list its tools (raises on failure, a
        ``TimeoutError`` past ``timeout_s``)."""
        if self._tg is None:
            raise RuntimeError("HostedMCPClients.held() was not entered")
        with self._bounded(config):
            client: Client = await self._tg.start(self._hold, config)
            self._clients[config["server_label"]] = client
            tools = await every_tool(client)
        return [
            {
                "name": t.name,
                "description": t.description,
                "input_schema": t.input_schema,
                "annotations": t.annotations.model_dump(by_alias=True, exclude_none=True)
                if t.annotations
                else None,
            }
            for t in tools
        ]

    @contextmanager
    def _bounded(self, config: dict[str, Any]) -> Iterator[None]:
        """At most ``timeout_s`` for what it holds, then a ``TimeoutError`` that says so. A
        client still connecting is cancelled with it (``start`` cancels the task it waits
        on); one connected stays held, as every client, till the connection closes (only
        the request it waited on is given up: a later answer to it is dropped)."""
        with anyio.move_on_after(self._timeout_s) as scope:
            yield
        if scope.cancelled_caught:
            label, limit = config["server_label"], f"{self._timeout_s:g} s"
            raise TimeoutError(f"MCP server {label!r} did not answer within {limit}")

    async def _hold(
        self, config: dict[str, Any], *, task_status: TaskStatus[Client] = TASK_STATUS_IGNORED
    ) -> None:
        """Hold one server's client open until the connection closes. A server that goes
        away once started costs its calls (they fail), never the connection: its client is
        let go, and the next call connects again, as the API's own servers do."""
        label, client = config["server_label"], None
        try:
            async with AsyncExitStack() as stack:
                client = await self._connect(stack, config)
                task_status.started(client)
                await self._closing.wait()
        except Exception as exc:
            if client is None:
                raise  # (to ``start``: the listing, or the call, fails with it)
            if not self._closing.is_set():  # (one already gone at the close: nothing to say)
                log.warning("hosted MCP server %r went away: %s", label, root_cause(exc))
            if self._clients.get(label) is client:
                del self._clients[label]

    async def _connect(self, stack: AsyncExitStack, config: dict[str, Any]) -> Client:
        if not config.get("server_url"):
            what = (
                ("connector", "connector_id")
                if config.get("connector_id")
                else ("tunnel", "tunnel_id")
            )
            raise ConnectionError(
                f"{what[0]} {config.get(what[1])} is not available in the emulator"
            )
        host = urlsplit(config["server_url"]).hostname or ""
        if not self._allowed_host(host):
            raise PermissionError(
                f"the emulator does not fetch MCP servers from {host!r}: allow it with "
                f"--mcp-host {host} (by default it fetches from any host only when it "
                "listens on loopback)"
            )
        headers = dict(config.get("headers") or {})
        if config.get("authorization"):
            headers["Authorization"] = f"Bearer {config['authorization']}"
        http = await stack.enter_async_context(create_mcp_http_client(headers=headers))
        client = Client(
            streamable_http_client(config["server_url"], http_client=http), mode="legacy"
        )
        return await stack.enter_async_context(client)

    async def call_tool(
        self, config: dict[str, Any], name: str, arguments: dict[str, Any]
    ) -> HostedResult:
        """Call a tool of the server ``config`` names: through the client that listed it, or
        one connected now (this connection attached to a session the server was listed on)."""
        try:
            with self._bounded(config):
                client = self._clients.get(config["server_label"])
                if client is None:
                    if self._tg is None:
                        raise RuntimeError("HostedMCPClients.held() was not entered")
                    client = self._clients[config["server_label"]] = await self._tg.start(
                        self._hold, config
                    )
                result = await client.call_tool(name, arguments)
        except TimeoutError as exc:
            # 504: what a gateway says of a server that did not answer in time (the API
            # documents no code of its own for it).
            return HostedResult(error={"type": "http_error", "code": 504, "message": str(exc)})
        except MCPError as exc:
            code = int(getattr(exc, "code", -32603))
            return HostedResult(error={"type": "protocol_error", "code": code, "message": str(exc)})
        except Exception as exc:
            message = root_cause(exc, None)
            return HostedResult(error={"type": "http_error", "code": 502, "message": message})
        text = result_text(result)
        if result.is_error:
            return HostedResult(
                error={"type": "tool_execution_error", "message": text or "the tool failed"}
            )
        return HostedResult(output=text)

    def close(self) -> None:
        self._closing.set()

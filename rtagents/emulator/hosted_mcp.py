"""Hosted MCP in the emulator: the session's ``type: "mcp"`` tools, listed and called server-side."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

from ..errors import root_cause
from ..mcp.tools import result_text
from .conversation import new_id

if TYPE_CHECKING:
    from .connection import EmulatorConnection
    from .models import CallMCP
    from .responses import ResponseRun

log = logging.getLogger("rtagents.emulator")


@dataclass
class _Server:
    config: dict[str, Any]
    client: Client | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class _Pending:
    call: CallMCP
    approved: bool | None = None


class HostedMCPRunner:
    """Connects to each hosted server with the ``mcp`` client (streamable HTTP)."""

    def __init__(self, allowed_host: Callable[[str], bool] = lambda host: True) -> None:
        self._allowed_host = allowed_host
        self._servers: dict[str, _Server] = {}
        self._stack = AsyncExitStack()
        self._pending: dict[str, _Pending] = {}

    async def configure(self, conn: EmulatorConnection, tools: list[dict[str, Any]]) -> None:
        for config in tools:
            if config.get("type") != "mcp":
                continue
            label = config["server_label"]
            known = self._servers.get(label)
            if known is not None and known.config == config:
                continue
            server = self._servers[label] = _Server(config)
            item_id = new_id("mcpl")
            await conn.emit({"type": "mcp_list_tools.in_progress", "item_id": item_id})
            try:
                server.client = await self._connect(config)
                listed = await server.client.list_tools()
                server.tools = [
                    {
                        "name": t.name,
                        "description": t.description,
                        "input_schema": t.input_schema,
                        "annotations": t.annotations.model_dump(by_alias=True, exclude_none=True)
                        if t.annotations
                        else None,
                    }
                    for t in listed.tools
                ]
            except Exception as exc:
                server.error = root_cause(exc)
                log.warning(
                    "hosted MCP server %r could not list its tools: %s", label, server.error
                )
                await conn.emit({"type": "mcp_list_tools.failed", "item_id": item_id})
                continue
            item = {
                "id": item_id,
                "type": "mcp_list_tools",
                "server_label": label,
                "tools": self._allowed(server),
            }
            previous = conn.conversation.add(dict(item))
            await conn.emit(
                {"type": "conversation.item.added", "previous_item_id": previous, "item": item}
            )
            await conn.emit(
                {"type": "conversation.item.done", "previous_item_id": previous, "item": item}
            )
            await conn.emit({"type": "mcp_list_tools.completed", "item_id": item_id})

    async def _connect(self, config: dict[str, Any]) -> Client:
        if not config.get("server_url"):
            raise ConnectionError(
                f"connector {config.get('connector_id')} is not available in the emulator"
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
        http = await self._stack.enter_async_context(create_mcp_http_client(headers=headers))
        client = Client(
            streamable_http_client(config["server_url"], http_client=http), mode="legacy"
        )
        return await self._stack.enter_async_context(client)

    def _allowed(self, server: _Server) -> list[dict[str, Any]]:
        allowed = server.config.get("allowed_tools")
        tools = server.tools
        if isinstance(allowed, list):
            tools = [t for t in tools if t["name"] in allowed]
        elif isinstance(allowed, dict):
            tools = [t for t in tools if _matches(allowed, t)]
        return tools

    def model_tools(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for config in tools:
            server = self._servers.get(config.get("server_label", ""))
            if config.get("type") == "mcp" and server is not None:
                out += [
                    {"type": "mcp_tool", "server_label": config["server_label"], **t}
                    for t in self._allowed(server)
                ]
        return out

    async def answer(self, conn: EmulatorConnection, item: dict[str, Any]) -> None:
        pending = self._pending.get(item["approval_request_id"])
        if pending is not None:
            pending.approved = bool(item["approve"])

    def _needs_approval(self, server: _Server, name: str) -> bool:
        """``never`` filters exempt the tools they match; everything else asks (the server's
        default, and the safe one)."""
        rule = server.config.get("require_approval")
        if rule == "never":
            return False
        if not isinstance(rule, dict):
            return True
        tool = next((t for t in server.tools if t["name"] == name), {"name": name})
        never = rule.get("never")
        return not (never and _matches(never, tool))

    async def call(self, run: ResponseRun, index: int, call: CallMCP) -> bool:
        """Run (or ask to approve) a call in ``run``. True when a call actually ran."""
        server = self._servers.get(call.server_label)
        if server is not None and self._needs_approval(server, call.name):
            request_id = new_id("mcpr")
            self._pending[request_id] = _Pending(call)
            item = {
                "id": request_id,
                "type": "mcp_approval_request",
                "server_label": call.server_label,
                "name": call.name,
                "arguments": json.dumps(call.arguments),
            }
            await run.add_item(index, item)
            await run.finish_item(index, item)
            return False
        await self._run(run, index, call, None)
        return True

    async def run_approved(self, run: ResponseRun) -> int:
        """At the start of a response: run the calls approved since the last one."""
        ran = 0
        for request_id, pending in list(self._pending.items()):
            if pending.approved is None:
                continue
            del self._pending[request_id]
            if pending.approved:
                await self._run(run, len(run.output), pending.call, request_id)
                ran += 1
        return ran

    async def _run(
        self, run: ResponseRun, index: int, call: CallMCP, approval_id: str | None
    ) -> None:
        conn = run.conn
        arguments = json.dumps(call.arguments)
        item: dict[str, Any] = {
            "id": new_id("mcp"),
            "type": "mcp_call",
            "server_label": call.server_label,
            "name": call.name,
            "arguments": "",
            "approval_request_id": approval_id,
        }
        await run.add_item(index, item)
        ids = {"response_id": run.id, "item_id": item["id"], "output_index": index}
        await conn.emit({"type": "response.mcp_call_arguments.delta", **ids, "delta": arguments})
        await conn.emit({"type": "response.mcp_call_arguments.done", **ids, "arguments": arguments})
        item["arguments"] = arguments
        await conn.emit(
            {"type": "response.mcp_call.in_progress", "item_id": item["id"], "output_index": index}
        )
        output, error = await self._invoke(call)
        item["output"], item["error"] = output, error
        kind = "failed" if error else "completed"
        await conn.emit(
            {"type": f"response.mcp_call.{kind}", "item_id": item["id"], "output_index": index}
        )
        await run.finish_item(index, item)

    async def _invoke(self, call: CallMCP) -> tuple[str | None, dict[str, Any] | None]:
        server = self._servers.get(call.server_label)
        if server is None or server.client is None:
            reason = server.error if server else f"no MCP server labelled {call.server_label!r}"
            return None, {"type": "http_error", "code": 502, "message": reason or "not connected"}
        try:
            result = await server.client.call_tool(call.name, call.arguments)
        except MCPError as exc:
            return None, {
                "type": "protocol_error",
                "code": int(getattr(exc, "code", -32603)),
                "message": str(exc),
            }
        except Exception as exc:
            return None, {
                "type": "http_error",
                "code": 502,
                "message": f"{type(exc).__name__}: {exc}",
            }
        text = result_text(result)
        if result.is_error:
            return None, {"type": "tool_execution_error", "message": text or "the tool failed"}
        return text, None

    async def close(self) -> None:
        try:
            await self._stack.aclose()
        except Exception as exc:  # the server may already be gone
            log.debug("closing hosted MCP clients: %r", exc)


def _matches(rule: dict[str, Any], tool: dict[str, Any]) -> bool:
    """A read_only / tool_names filter: every condition given must hold."""
    names = rule.get("tool_names")
    if names is not None and not any(fnmatchcase(tool["name"], n) for n in names):
        return False
    read_only = rule.get("read_only")
    if read_only is not None:
        hint = (tool.get("annotations") or {}).get("readOnlyHint")
        if bool(hint) is not read_only:
            return False
    return True

"""Hosted MCP in the emulator, sans I/O: the session's ``type: "mcp"`` tools, their listings,
approvals and calls as the server runs them. The shell does the fetching (``mcp_clients``)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import root_cause
from ..protocol import (
    ConversationItemAdded,
    ConversationItemDone,
    McpListToolsCompleted,
    McpListToolsFailed,
    McpListToolsInProgress,
    ResponseMcpCallArgumentsDelta,
    ResponseMcpCallArgumentsDone,
    ResponseMcpCallCompleted,
    ResponseMcpCallFailed,
    ResponseMcpCallInProgress,
)
from .actions import CallHostedTool, HostedResult, ListHostedTools
from .conversation import Conversation, new_id
from .models import CallMCP
from .outbox import Emitter, Steps

log = logging.getLogger("rtagents.emulator")


class ResponseRun(Protocol):
    """What a hosted call needs of the response it runs in (``responses.ResponseRun``,
    which runs the calls: this module does not reach back into it)."""

    id: str
    output: list[dict[str, Any]]

    def add_item(self, index: int, item: dict[str, Any]) -> None: ...

    def finish_item(self, index: int, item: dict[str, Any]) -> None: ...


@dataclass
class _Server:
    config: dict[str, Any]
    tools: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    ready: bool | None = None  # None while listing, then whether it listed


class HostedMCP:
    """One session's hosted MCP servers: what each lists, and the calls awaiting approval."""

    def __init__(self, out: Emitter, conversation: Conversation) -> None:
        self._out = out
        self._conversation = conversation
        self._servers: dict[str, _Server] = {}
        self._pending: dict[str, tuple[CallMCP, bool | None]] = {}  # approval id -> call

    def carry_on(self, previous: HostedMCP) -> None:
        """The servers ``previous`` (the session's last connection) listed: known here too,
        as the session is. One whose listing the drop cut off is listed again."""
        self._servers = {k: s for k, s in previous._servers.items() if s.ready is not None}

    def configure(self, tools: list[dict[str, Any]]) -> list[Steps[None]]:
        """The session's tools changed: a listing for each server new or reconfigured."""
        listings = []
        labels = {c.get("server_label") for c in tools if c.get("type") == "mcp"}
        # A server the session's tools no longer name is gone: its tools no longer run.
        self._servers = {k: s for k, s in self._servers.items() if k in labels}
        for config in tools:
            if config.get("type") != "mcp":
                continue
            known = self._servers.get(config["server_label"])
            if known is None or known.config != config:
                server = self._servers[config["server_label"]] = _Server(config)
                listings.append(self._listing(server))
        return listings

    @property
    def listing(self) -> bool:
        """Whether a server's tools are still being listed (a response waits for them)."""
        return any(s.ready is None for s in self._servers.values())

    def _listing(self, server: _Server) -> Steps[None]:
        # The real server adds the item at once and fills in its tools when listed.
        label = server.config["server_label"]
        item = {"id": new_id("mcpl"), "type": "mcp_list_tools", "server_label": label, "tools": []}
        previous = self._conversation.add(item)
        self._out.emit(ConversationItemAdded, previous_item_id=previous, item=dict(item))
        self._out.emit(McpListToolsInProgress, item_id=item["id"])
        yield None
        try:
            result = yield ListHostedTools(0, server.config)
        except Exception as exc:
            server.error = root_cause(exc)
            log.warning("hosted MCP server %r could not list its tools: %s", label, server.error)
            server.ready = False
            self._out.emit(McpListToolsFailed, item_id=item["id"])
            return
        server.tools, server.ready = list(result), True
        item["tools"] = self._allowed(server)
        self._out.emit(McpListToolsCompleted, item_id=item["id"])
        previous = self._conversation.previous_id(item["id"])
        self._out.emit(ConversationItemDone, previous_item_id=previous, item=dict(item))

    def listed(self) -> list[dict[str, Any]]:
        """An ``mcp_list_tools`` item for each server that listed its tools: what a Responses
        backend streams at the head of a response that may call them (GPT-Live's backend,
        which has no conversation items of its own)."""
        return [
            {
                "id": new_id("mcpl"),
                "type": "mcp_list_tools",
                "server_label": label,
                "tools": self._allowed(server),
            }
            for label, server in self._servers.items()
            if server.ready
        ]

    def _offers(self, server: _Server, name: str) -> bool:
        """Whether the server lists ``name`` and its ``allowed_tools`` let it through."""
        return any(t["name"] == name for t in self._allowed(server))

    def _allowed(self, server: _Server) -> list[dict[str, Any]]:
        allowed = server.config.get("allowed_tools")
        tools = server.tools
        if isinstance(allowed, list):
            tools = [t for t in tools if t["name"] in allowed]
        elif isinstance(allowed, dict):
            tools = [t for t in tools if _matches(allowed, t)]
        return tools

    def model_tools(
        self, override: list[dict[str, Any]] | None, session: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """What the model may call: function tools, and each listed server's allowed tools
        as ``{"type": "mcp_tool", "server_label": ..., **tool}``."""
        tools = override if override is not None else session.get("tools", [])
        out = [t for t in tools if t.get("type", "function") == "function"]
        for config in tools:
            server = self._servers.get(config.get("server_label", ""))
            if config.get("type") == "mcp" and server is not None:
                out += [
                    {"type": "mcp_tool", "server_label": config["server_label"], **t}
                    for t in self._allowed(server)
                ]
        return out

    def answer(self, item: dict[str, Any]) -> None:
        """An ``mcp_approval_response`` item arrived. A request answered twice is denied
        once either answer denies: a later yes never undoes a no (fail closed)."""
        request_id = item.get("approval_request_id", "")
        if request_id in self._pending:
            call, before = self._pending[request_id]
            self._pending[request_id] = (call, before is not False and item.get("approve") is True)

    def asked(self, item: dict[str, Any]) -> None:
        """An ``mcp_approval_request`` a client created (replaying a conversation): its
        answer runs the call, as for a request the model made here."""
        try:
            arguments = json.loads(item.get("arguments") or "{}")
        except ValueError:
            arguments = {}
        call = CallMCP(
            item["server_label"], item["name"], arguments if isinstance(arguments, dict) else {}
        )
        self._pending.setdefault(item["id"], (call, None))

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

    def call(self, run: ResponseRun, index: int, call: CallMCP) -> Steps[bool]:
        """Run (or ask to approve) a call in ``run``; returns True when a call actually ran."""
        server = self._servers.get(call.server_label)
        # A call the server cannot run (no such server, a tool it does not offer) fails at
        # once: there is nothing to approve.
        if (
            server is not None
            and self._offers(server, call.name)
            and self._needs_approval(server, call.name)
        ):
            request_id = new_id("mcpr")
            self._pending[request_id] = (call, None)
            item = {
                "id": request_id,
                "type": "mcp_approval_request",
                "server_label": call.server_label,
                "name": call.name,
                "arguments": json.dumps(call.arguments),
            }
            run.add_item(index, item)
            run.finish_item(index, item)
            yield None
            return False
        yield from self._run(run, index, call, None)
        return True

    def run_approved(self, run: ResponseRun) -> Steps[int]:
        """At the start of a response: run the calls approved since the last one."""
        ran = 0
        for request_id, (call, approved) in list(self._pending.items()):
            if approved is None:
                continue
            del self._pending[request_id]
            if approved:
                yield from self._run(run, len(run.output), call, request_id)
                ran += 1
        return ran

    def _run(
        self, run: ResponseRun, index: int, call: CallMCP, approval_id: str | None
    ) -> Steps[None]:
        arguments = json.dumps(call.arguments)
        item: dict[str, Any] = {
            "id": new_id("mcp"),
            "type": "mcp_call",
            "server_label": call.server_label,
            "name": call.name,
            "arguments": "",
            "approval_request_id": approval_id,
        }
        run.add_item(index, item)
        ids = {"item_id": item["id"], "output_index": index}
        self._out.emit(ResponseMcpCallArgumentsDelta, response_id=run.id, **ids, delta=arguments)
        self._out.emit(ResponseMcpCallArgumentsDone, response_id=run.id, **ids, arguments=arguments)
        item["arguments"] = arguments
        self._out.emit(ResponseMcpCallInProgress, **ids)
        yield None
        server = self._servers.get(call.server_label)
        if server is None or server.ready is not True:
            reason = server.error if server else f"no MCP server labelled {call.server_label!r}"
            result = HostedResult(
                error={"type": "http_error", "code": 502, "message": reason or "not connected"}
            )
        elif not self._offers(server, call.name):
            message = f"unknown tool {call.name!r}: server {call.server_label!r} does not offer it"
            result = HostedResult(
                error={"type": "protocol_error", "code": -32602, "message": message}
            )
        else:
            try:
                answer = yield CallHostedTool(
                    0, call.server_label, call.name, call.arguments, server.config
                )
            except Exception as exc:
                answer = exc
            result = answer if isinstance(answer, HostedResult) else _failure(answer)
        item["output"], item["error"] = result.output, result.error
        done = ResponseMcpCallFailed if result.error else ResponseMcpCallCompleted
        self._out.emit(done, **ids)
        run.finish_item(index, item)


def _failure(answer: object) -> HostedResult:
    message = root_cause(answer) if isinstance(answer, BaseException) else "no answer"
    return HostedResult(error={"type": "http_error", "code": 502, "message": message})


def _matches(rule: dict[str, Any], tool: dict[str, Any]) -> bool:
    """A read_only / tool_names filter: every condition given must hold (``tool_names`` are
    names, as the API documents them and the client reads them: no patterns)."""
    names = rule.get("tool_names")
    if names is not None and tool["name"] not in names:
        return False
    read_only = rule.get("read_only")
    if read_only is not None:
        hint = (tool.get("annotations") or {}).get("readOnlyHint")
        if bool(hint) is not read_only:
            return False
    return True

"""A tool of a local MCP server, as a tool the session runs like any other."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

import pydantic_core
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from .._json import ArgumentsError, parse_object
from .._spans import current, start_span
from ..protocol import FunctionToolDefinition
from ..tools import (
    ApprovalCheck,
    BaseTool,
    DuplicateToolError,
    ToolArgumentsError,
    ToolContext,
    Toolset,
)

if TYPE_CHECKING:
    import mcp_types
    from mcp import Client

NeedsApproval = bool | Literal["unless_read_only"] | ApprovalCheck
"""A local MCP server's approval rule for its tools; ``"unless_read_only"`` asks for every tool
not marked ``readOnlyHint``."""


class _Server(Protocol):
    """What a tool needs of its server (``rtagents.mcp.MCPServer``), without importing it."""

    name: str
    timeout: float | None
    needs_approval: NeedsApproval
    listed: list[mcp_types.Tool]  # its latest listing
    read_only: bool  # it offers only the tools it marks read-only
    allowed_tools: list[str] | None
    tool_prefix: str
    changes: int  # the changes of its tools it has told
    listed_at: int  # ... when its latest listing began

    async def call_tool(
        self, name: str, arguments: dict[str, Any], time_limit: float | None = None
    ) -> mcp_types.CallToolResult: ...


class MCPToolError(RuntimeError):
    """The MCP tool reported an error (``isError``); its text is what the model is told."""


class MCPTool(BaseTool):
    """One tool of a local MCP server. The server validates the arguments against its schema."""

    def __init__(self, server: _Server, tool: mcp_types.Tool) -> None:
        self.server = server
        self.remote_name = self.server_tool_name = tool.name
        self.name = api_name(tool.name)
        self.description = tool.description or tool.title or ""
        self.parameters: dict[str, Any] = dict(tool.input_schema or {"type": "object"})
        # MCP lets a tool that takes nothing say only ``{"type": "object"}``; OpenAI's
        # function tools refuse an object schema without ``properties``.
        if self.parameters.get("type") == "object" and "properties" not in self.parameters:
            self.parameters["properties"] = {}
        self.server_label = server.name
        self.timeout = server.timeout

    # Both read from the server's latest listing, not from the one this tool was made of: a
    # hint the server has taken back is taken back here too, even while the session still
    # offers the tool as first listed (a relisting it could not take, or has not yet taken).
    @property
    def read_only(self) -> bool | None:  # type: ignore[override]
        """The tool's ``readOnlyHint`` in its server's latest listing (``None``: none given,
        the server no longer lists it, or it told of a change not listed yet)."""
        server = self.server
        if server.listed_at != server.changes:  # (what changed is unknown: it asks again)
            return None
        for tool in server.listed:
            if tool.name == self.remote_name:
                annotations = tool.annotations
                return getattr(annotations, "read_only_hint", None) if annotations else None
        return None

    @property
    def needs_approval(self) -> bool | ApprovalCheck:  # type: ignore[override]
        policy = self.server.needs_approval
        return (self.read_only is not True) if policy == "unless_read_only" else policy

    def definition(self) -> FunctionToolDefinition:
        return FunctionToolDefinition(
            name=self.name, description=self.description, parameters=self.parameters
        )

    def parse_arguments(self, arguments: str) -> dict[str, Any]:
        try:
            return parse_object(arguments)
        except ArgumentsError as exc:
            raise ToolArgumentsError(f"invalid arguments for {self.name}: {exc}") from None

    async def call(self, arguments: Any, ctx: ToolContext) -> Any:
        if self.server.read_only and self.read_only is not True:  # (see ``read_only``)
            raise MCPToolError(
                f"{self.remote_name} is no longer marked read-only by its server, which "
                "offers only read-only tools: not run"
            )
        # A client span named as the MCP semantic conventions say; the mcp package's own
        # span nests inside it and carries the W3C context to the server.
        # Looked up per call, never cached: see rtagents.tracing.sdk.tracer.
        span = start_span(
            trace.get_tracer("rtagents"),
            f"tools/call {self.remote_name}",
            f"the span of MCP tool {self.remote_name}",
            kind=SpanKind.CLIENT,
            attributes={
                "mcp.method.name": "tools/call",
                "gen_ai.tool.name": self.remote_name,
                "rtagents.mcp.server_label": self.server.name,
            },
        )
        # What the call raises may quote its arguments (content, which the tool's own span
        # records only on the app's opt-in): the span says its type, never its text.
        with current(
            span,
            f"the end of MCP tool {self.remote_name}'s span",
            record_exception=False,
            set_status_on_exception=False,
        ):
            try:
                result = await self.server.call_tool(self.remote_name, arguments, self.timeout)
            except Exception as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                span.set_attribute("error.type", type(exc).__name__)
                raise
            text = result_text(result)
            if result.is_error:
                span.set_status(Status(StatusCode.ERROR, "tool reported an error"))
                span.set_attribute("error.type", "tool_error")
                raise MCPToolError(text or "the tool reported an error")
            return text

    def __repr__(self) -> str:
        return f"<MCPTool {self.server.name}:{self.remote_name}>"


def result_text(result: mcp_types.CallToolResult) -> str:
    """The text of the content blocks (what MCP says clients show), each other block as a
    note in brackets (its kind and MIME type; a resource link's name and URI too), or the
    structured content as JSON when there is no content."""
    parts = []
    for block in result.content:
        text = getattr(block, "text", None)
        kind = getattr(block, "type", "content")
        if text is not None:
            parts.append(text)
        elif kind == "resource":  # embedded: its text, or what it is (a blob: a PDF, say)
            resource = getattr(block, "resource", None)
            mime = getattr(resource, "mime_type", None)
            said = f"[resource {getattr(resource, 'uri', '')}{f' {mime}' if mime else ''}]"
            parts.append(getattr(resource, "text", None) or said)
        else:
            label = kind
            if kind == "resource_link":  # the result is where to find it: keep the address
                label += f" {getattr(block, 'name', '')} <{getattr(block, 'uri', '')}>"
            mime = getattr(block, "mime_type", None)
            parts.append(f"[{label} {mime}]" if mime else f"[{label}]")
    if not parts and result.structured_content is not None:
        return pydantic_core.to_json(result.structured_content).decode()
    return "\n".join(parts)


def api_name(name: str) -> str:
    """``name`` as the Realtime API takes a function's name: MCP allows names it does not
    (dots, slashes, spaces, past 64 characters), which are kept recognisable."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:64] or "tool"


async def every_tool(client: Client) -> list[mcp_types.Tool]:
    """What an MCP server's ``tools/list`` gives, every page of it (a local server's, and a
    hosted one's in the emulator)."""
    tools: list[mcp_types.Tool] = []
    async for page in _pages(client, typed=True):
        tools.extend(page.tools)
    if not any(t.annotations and t.annotations.read_only_hint for t in tools):
        return tools
    # The client reads the listing leniently ("yes" is a true readOnlyHint): a hint counts
    # only as JSON's true, read from the listing as sent, since it lets a tool skip approval.
    sent: set[Any] = set()
    async for raw in _pages(client, typed=False):
        for tool in raw.get("tools") or ():
            hints = tool.get("annotations") if isinstance(tool, dict) else None
            if isinstance(hints, dict) and hints.get("readOnlyHint") is True:
                sent.add(tool.get("name"))
    return [t if t.name in sent else _not_read_only(t) for t in tools]


def _not_read_only(tool: mcp_types.Tool) -> mcp_types.Tool:
    if tool.annotations is None or not tool.annotations.read_only_hint:
        return tool
    annotations = tool.annotations.model_copy(update={"read_only_hint": None})
    return tool.model_copy(update={"annotations": annotations})


def toolset_of(server: _Server) -> Toolset:
    """The listed tools of ``server`` its filters keep, as a toolset. ``allowed_tools`` and
    ``read_only`` pick by the server's own names and hints; only the kept tools are then
    given the names the API takes (see ``MCPTool``) and the prefix."""
    # Filters first: a tool left out cannot clash. (Named first, two tools with one API
    # name failed connect() even when the filter kept only one of them.)
    patterns = server.allowed_tools
    kept = [
        MCPTool(server, tool)
        for tool in server.listed
        if patterns is None or any(fnmatchcase(tool.name, p) for p in patterns)
    ]
    if server.read_only:
        kept = [t for t in kept if t.read_only]
    if server.tool_prefix:  # (cut to 64 characters with it, as the API takes a name)
        kept = [cast(MCPTool, t.renamed(api_name(server.tool_prefix + t.name))) for t in kept]
    named: dict[str, MCPTool] = {}
    for tool in kept:
        first = named.setdefault(tool.name, tool)
        if first is not tool:  # Toolset's own error would say "give a prefix": no help
            raise DuplicateToolError(
                f"MCP server {server.name!r}: its tools {first.remote_name!r} and "
                f"{tool.remote_name!r} are both {tool.name!r} to the API; keep one of "
                "them with allowed_tools"
            )
    return Toolset(server.name, kept)


MAX_PAGES = 100
"""Pages of one ``tools/list``, at most (a session offers the model 128 tools at most)."""


async def _pages(client: Client, *, typed: bool) -> AsyncIterator[Any]:
    """Each page of ``tools/list``: typed by the client, or as the server sent it."""
    cursor: str | None = None
    cursors: set[str] = set()
    while True:
        if typed:
            page: Any = await client.list_tools(cursor=cursor, cache_mode="refresh")
            yield page
            cursor = page.next_cursor
        else:
            import mcp_types  # (only for a server that marks a tool read-only)
            from pydantic import TypeAdapter

            params = mcp_types.PaginatedRequestParams(cursor=cursor)
            request = mcp_types.ListToolsRequest(params=params)
            page = await client.session.send_request(request, TypeAdapter(dict[str, Any]))
            yield page
            cursor = page.get("nextCursor")
        if not cursor:
            return
        if cursor in cursors:  # a server's paging bug: the listing would never end
            raise RuntimeError(f"its tools/list gave the cursor {cursor!r} again")
        if len(cursors) >= MAX_PAGES:  # each cursor new, for ever: as much a bug
            raise RuntimeError(f"its tools/list went on past {MAX_PAGES} pages")
        cursors.add(cursor)

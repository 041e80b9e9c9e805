"""The Responses backend a Live session delegates to: its model, prompt, tools and tool choice
(the ``responses`` of a ``responses`` delegation)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag

from .._base import ReprArgs, WireModel, url_hidden
from ._tags import by_type

# -- tools -----------------------------------------------------------------------------------


class FunctionTool(WireModel):
    """A function the delegated Responses model may call; the call reaches the client as a
    ``function_call`` item, answered with ``response.item.create`` and ``response.create``."""

    type: Literal["function"] = "function"
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    """The arguments' JSON Schema."""
    strict: bool | None = None


class McpToolFilter(WireModel):
    """Tools of an MCP server picked by name, or by being read-only."""

    read_only: bool | None = None
    tool_names: list[str] | None = None


class McpApprovalFilter(WireModel):
    """Which tools of an MCP server need approval (``always``) and which do not (``never``)."""

    always: McpToolFilter | None = None
    never: McpToolFilter | None = None


class McpTool(WireModel):
    """A remote MCP server the Responses backend calls itself (``type: "mcp"``)."""

    type: Literal["mcp"] = "mcp"
    server_label: str | None = None
    server_url: str | None = None
    connector_id: str | None = None
    tunnel_id: str | None = None
    """A Secure MCP Tunnel, instead of ``server_url``."""
    server_description: str | None = None
    authorization: str | None = Field(default=None, repr=False)
    headers: dict[str, str] | None = Field(default=None, repr=False)
    allowed_tools: list[str] | McpToolFilter | None = None
    allowed_callers: list[Literal["direct", "programmatic"]] | None = None
    require_approval: McpApprovalFilter | Literal["always", "never"] | None = None
    defer_loading: bool | None = None
    """Discover the server's tools through tool search instead of listing them up front."""

    def __repr_args__(self) -> ReprArgs:
        return url_hidden(super().__repr_args__())


HostedToolType = Union[
    Literal[
        "web_search",
        "file_search",
        "code_interpreter",
        "shell",
        "image_generation",
        "custom",
        "namespace",
        "tool_search",
        "programmatic_tool_calling",
        "computer",
        "apply_patch",
    ],
    str,
]
"""A tool the Responses API hosts; any newer kind is accepted too."""


class HostedTool(WireModel):
    """A tool the Responses API runs itself (web search, code interpreter, shell, ...); its
    settings beyond ``type`` are kept as given."""

    type: HostedToolType
    environment: dict[str, Any] | None = None
    """The ``shell`` tool's environment (a hosted container, or local)."""


Tool = Annotated[
    Annotated[FunctionTool, Tag("function")]
    | Annotated[McpTool, Tag("mcp")]
    | Annotated[HostedTool, Tag("hosted")],
    Discriminator(by_type({"function": "function", "mcp": "mcp"}, other="hosted")),
]
"""A tool of the Responses backend: a function, a remote MCP server or a hosted tool."""

# -- tool choice -----------------------------------------------------------------------------


class ToolChoiceFunction(WireModel):
    """Call this function."""

    type: Literal["function"] = "function"
    name: str


class ToolChoiceMcp(WireModel):
    """Call this tool of an MCP server."""

    type: Literal["mcp"] = "mcp"
    server_label: str
    name: str


class ToolChoiceCustom(WireModel):
    """Call this custom tool."""

    type: Literal["custom"] = "custom"
    name: str


class ToolChoiceHosted(WireModel):
    """Call this hosted tool."""

    type: Union[
        Literal[
            "file_search",
            "web_search",
            "web_search_preview",
            "image_generation",
            "computer",
            "code_interpreter",
            "programmatic_tool_calling",
            "shell",
            "apply_patch",
        ],
        str,
    ]


_choice_tag = by_type(
    {kind: kind for kind in ("function", "mcp", "custom", "allowed_tools")}, other="hosted"
)

AllowedTool = Annotated[
    Annotated[ToolChoiceFunction, Tag("function")]
    | Annotated[ToolChoiceMcp, Tag("mcp")]
    | Annotated[ToolChoiceCustom, Tag("custom")]
    | Annotated[ToolChoiceHosted, Tag("hosted")],
    Discriminator(_choice_tag),
]


class ToolChoiceAllowedTools(WireModel):
    """Limit the model to these tools, choosing among them by ``mode``."""

    type: Literal["allowed_tools"] = "allowed_tools"
    tools: list[AllowedTool]
    mode: Literal["none", "auto", "required"] | None = None


ToolChoice = Union[
    Literal["auto", "none", "required"],
    Annotated[
        Annotated[ToolChoiceFunction, Tag("function")]
        | Annotated[ToolChoiceMcp, Tag("mcp")]
        | Annotated[ToolChoiceCustom, Tag("custom")]
        | Annotated[ToolChoiceHosted, Tag("hosted")]
        | Annotated[ToolChoiceAllowedTools, Tag("allowed_tools")],
        Discriminator(_choice_tag),
    ],
]
"""How the Responses backend picks a tool: a mode, or a named tool or set of tools."""

# -- the backend -----------------------------------------------------------------------------

Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]
ServiceTier = Literal["auto", "default", "fast_tier_temp_pilot", "flex", "priority", "ultrafast"]


class ResponsesReasoning(WireModel):
    """Reasoning settings of each delegated request."""

    effort: Effort | None = None
    summary: Literal["concise", "detailed", "auto"] | None = None


class ResponsesText(WireModel):
    """Text settings of each delegated request (not the Live model's speech)."""

    verbosity: Literal["low", "medium", "high"] | None = None


class _ResponsesSettings(WireModel):
    instructions: str | None = None
    """The backend's prompt, apart from the Live model's instructions."""
    max_output_tokens: int | None = None
    parallel_tool_calls: bool | None = None
    reasoning: ResponsesReasoning | None = None
    service_tier: ServiceTier | None = None
    text: ResponsesText | None = None
    tool_choice: ToolChoice | None = None
    tools: list[Tool] | None = None


class ResponsesConfig(_ResponsesSettings):
    """The Responses backend that handles the Live model's delegated tasks."""

    model: str


class ResponsesUpdate(_ResponsesSettings):
    """Changes to the Responses backend; what is left out keeps its value."""

    model: str | None = None


__all__ = [
    "AllowedTool",
    "Effort",
    "FunctionTool",
    "HostedTool",
    "HostedToolType",
    "McpApprovalFilter",
    "McpTool",
    "McpToolFilter",
    "ResponsesConfig",
    "ResponsesReasoning",
    "ResponsesText",
    "ResponsesUpdate",
    "ServiceTier",
    "Tool",
    "ToolChoice",
    "ToolChoiceAllowedTools",
    "ToolChoiceCustom",
    "ToolChoiceFunction",
    "ToolChoiceHosted",
    "ToolChoiceMcp",
]

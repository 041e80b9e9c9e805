"""Conversation items (the nine kinds in the spec) and their content parts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ._base import WireModel

ItemStatus = Literal["completed", "incomplete", "in_progress"]


class SystemContent(WireModel):
    type: Literal["input_text"] | None = "input_text"
    text: str | None = None


class UserContent(WireModel):
    type: Literal["input_text", "input_audio", "input_image"] | None = None
    audio: str | None = None
    detail: Literal["auto", "low", "high"] | None = None
    image_url: str | None = None
    text: str | None = None
    transcript: str | None = None


class AssistantContent(WireModel):
    # ``text`` and ``audio`` are the older names, still seen in retrieved items.
    type: Literal["output_text", "output_audio", "text", "audio"] | None = None
    audio: str | None = None
    text: str | None = None
    transcript: str | None = None


class _Item(WireModel):
    id: str | None = None
    object: Literal["realtime.item"] | None = None
    status: ItemStatus | None = None


class SystemMessage(_Item):
    """A system message: extra instructions added mid-conversation."""

    type: Literal["message"] = "message"
    role: Literal["system"] = "system"
    content: list[SystemContent]


class UserMessage(_Item):
    """A user message: text, audio or images."""

    type: Literal["message"] = "message"
    role: Literal["user"] = "user"
    content: list[UserContent]


class AssistantMessage(_Item):
    """An assistant message: text or audio with its transcript."""

    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    content: list[AssistantContent]


class FunctionCall(_Item):
    """The model's call of a function tool; ``arguments`` is a JSON string."""

    type: Literal["function_call"] = "function_call"
    name: str
    arguments: str
    call_id: str | None = None


class FunctionCallOutput(_Item):
    """The output the client returns for a ``call_id``."""

    type: Literal["function_call_output"] = "function_call_output"
    call_id: str
    output: str


class McpApprovalRequest(WireModel):
    """The server asks the client to approve a hosted MCP tool call."""

    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    id: str
    arguments: str
    name: str
    server_label: str


class McpApprovalResponse(WireModel):
    """The client's answer to an ``mcp_approval_request``."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    id: str
    approval_request_id: str
    approve: bool
    reason: str | None = None


class McpListedTool(WireModel):
    name: str
    input_schema: Any
    annotations: Any | None = None
    description: str | None = None


class McpListTools(WireModel):
    """The tools a hosted MCP server listed."""

    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    server_label: str
    tools: list[McpListedTool]
    id: str | None = None


class McpProtocolError(WireModel):
    type: Literal["protocol_error"] = "protocol_error"
    code: int
    message: str


class McpToolExecutionError(WireModel):
    type: Literal["tool_execution_error"] = "tool_execution_error"
    message: str


class McpHttpError(WireModel):
    type: Literal["http_error"] = "http_error"
    code: int
    message: str


McpCallError = Annotated[
    McpProtocolError | McpToolExecutionError | McpHttpError, Field(discriminator="type")
]


class McpCall(WireModel):
    """A hosted MCP tool call run by the server, with its output or error."""

    type: Literal["mcp_call"] = "mcp_call"
    id: str
    arguments: str
    name: str
    server_label: str
    approval_request_id: str | None = None
    error: McpCallError | None = None
    output: str | None = None


class UnknownItem(WireModel):
    """An item of a type this version does not know; every field is kept."""

    type: str


_KNOWN_ITEM_TYPES = frozenset(
    {
        "function_call",
        "function_call_output",
        "mcp_approval_request",
        "mcp_approval_response",
        "mcp_list_tools",
        "mcp_call",
    }
)
_ROLES = frozenset({"system", "user", "assistant"})


def _item_tag(value: Any) -> str:
    tag = _CLASS_TAGS.get(type(value))
    if tag is not None:  # an item we built: its class says (and looking up a missing
        return tag  # ``role`` on a model costs an exception)
    if isinstance(value, dict):
        kind, role = value.get("type"), value.get("role")
    else:
        kind, role = getattr(value, "type", None), getattr(value, "role", None)
    # Frames are untrusted: a list or dict here must not reach a set lookup.
    if kind == "message":
        return f"message.{role}" if isinstance(role, str) and role in _ROLES else "unknown"
    return kind if isinstance(kind, str) and kind in _KNOWN_ITEM_TYPES else "unknown"


ConversationItem = Annotated[
    Annotated[SystemMessage, Tag("message.system")]
    | Annotated[UserMessage, Tag("message.user")]
    | Annotated[AssistantMessage, Tag("message.assistant")]
    | Annotated[FunctionCall, Tag("function_call")]
    | Annotated[FunctionCallOutput, Tag("function_call_output")]
    | Annotated[McpApprovalResponse, Tag("mcp_approval_response")]
    | Annotated[McpListTools, Tag("mcp_list_tools")]
    | Annotated[McpCall, Tag("mcp_call")]
    | Annotated[McpApprovalRequest, Tag("mcp_approval_request")]
    | Annotated[UnknownItem, Tag("unknown")],
    Discriminator(_item_tag),
]
"""Any conversation item; an unknown ``type`` becomes ``UnknownItem``."""

_CLASS_TAGS: dict[type, str] = {
    SystemMessage: "message.system",
    UserMessage: "message.user",
    AssistantMessage: "message.assistant",
    FunctionCall: "function_call",
    FunctionCallOutput: "function_call_output",
    McpApprovalResponse: "mcp_approval_response",
    McpListTools: "mcp_list_tools",
    McpCall: "mcp_call",
    McpApprovalRequest: "mcp_approval_request",
}


class ItemReferenceContent(WireModel):
    type: Literal["input_text", "input_audio", "item_reference", "text"] | None = None
    id: str | None = None
    audio: str | None = None
    text: str | None = None
    transcript: str | None = None


class ConversationItemWithReference(WireModel):
    """A loosely typed item, including ``item_reference`` (used in ``response.input``)."""

    id: str | None = None
    arguments: str | None = None
    call_id: str | None = None
    content: list[ItemReferenceContent] | None = None
    name: str | None = None
    object: Literal["realtime.item"] | None = None
    output: str | None = None
    role: Literal["user", "assistant", "system"] | None = None
    status: ItemStatus | None = None
    type: Literal["message", "function_call", "function_call_output", "item_reference"] | None = (
        None
    )

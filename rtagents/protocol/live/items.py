"""The items and content parts of the Responses and Decision APIs that a Live session carries.

One family of classes serves both: ``response.item.create`` and the Responses events inside
``response.event`` (``ResponseItem``), and ``decision.item.create``/``decision.item.created``
(``DecisionItem``). Only the kinds the framework acts on are typed; any other kind is an
``UnknownItem`` (or ``UnknownContent``) with every field kept.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag

from .._base import WireModel
from ._tags import by_type

ItemStatus = Literal["in_progress", "completed", "incomplete"]
ImageDetail = Literal["low", "high", "auto", "original"]

# -- content parts ---------------------------------------------------------------------------


class InputText(WireModel):
    """Text given to a model."""

    type: Literal["input_text"] = "input_text"
    text: str
    prompt_cache_breakpoint: dict[str, Any] | None = None


class InputImage(WireModel):
    """An image given to a model: a URL (or data URL), or an uploaded file's id."""

    type: Literal["input_image"] = "input_image"
    image_url: str | None = None
    file_id: str | None = None
    detail: ImageDetail | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


class InputFile(WireModel):
    """A file given to a model: inline (base64), by URL or by an uploaded file's id."""

    type: Literal["input_file"] = "input_file"
    file_id: str | None = None
    file_url: str | None = None
    file_data: str | None = None
    filename: str | None = None
    detail: Literal["auto", "low", "high"] | None = None
    prompt_cache_breakpoint: dict[str, Any] | None = None


class InputJson(WireModel):
    """JSON given to the Decision API: an object or a list of objects."""

    type: Literal["input_json"] = "input_json"
    data: list[dict[str, Any]] | dict[str, Any]


class OutputText(WireModel):
    """Text a model wrote; its citations and log probabilities are kept as JSON."""

    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[dict[str, Any]] | None = None
    logprobs: list[dict[str, Any]] | None = None


class Refusal(WireModel):
    """A model's refusal to answer."""

    type: Literal["refusal"] = "refusal"
    refusal: str


class UnknownContent(WireModel):
    """A content part of a type this version does not know; every field is kept."""

    type: str


_PART_TYPES = ("input_text", "input_image", "input_file", "input_json", "output_text", "refusal")


ContentPart = Annotated[
    Annotated[InputText, Tag("input_text")]
    | Annotated[InputImage, Tag("input_image")]
    | Annotated[InputFile, Tag("input_file")]
    | Annotated[InputJson, Tag("input_json")]
    | Annotated[OutputText, Tag("output_text")]
    | Annotated[Refusal, Tag("refusal")]
    | Annotated[UnknownContent, Tag("unknown")],
    Discriminator(by_type({kind: kind for kind in _PART_TYPES})),
]
"""Any content part; an unknown ``type`` becomes ``UnknownContent``."""

# -- items -----------------------------------------------------------------------------------


class ToolCaller(WireModel):
    """Who made a tool call: the model (``direct``) or a program it ran (``program``)."""

    type: Literal["direct", "program"]
    caller_id: str | None = None


class Message(WireModel):
    """A message of any role; ``content`` is a string or a list of parts."""

    type: Literal["message"] = "message"
    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[ContentPart]
    id: str | None = None
    status: ItemStatus | None = None
    phase: Literal["commentary", "final_answer"] | None = None
    """An assistant message's kind: interim ``commentary`` or the ``final_answer``."""


class FunctionCall(WireModel):
    """A model's call of a function tool; ``arguments`` is a JSON string."""

    # ``async`` is a Python keyword: the field is ``async_``, sent by its wire name.
    model_config = ConfigDict(serialize_by_alias=True)

    type: Literal["function_call"] = "function_call"
    call_id: str
    name: str
    arguments: str
    id: str | None = None
    async_: bool | None = Field(default=None, alias="async")
    caller: ToolCaller | None = None
    namespace: str | None = None
    status: ItemStatus | None = None


class FunctionCallOutput(WireModel):
    """The output returned for a function call's ``call_id``: a string or content parts.
    A client's always names its call; one the server makes itself (for a program caller,
    ``caller``) may not, and is read all the same."""

    type: Literal["function_call_output"] = "function_call_output"
    call_id: str | None = None
    output: str | list[ContentPart]
    id: str | None = None
    caller: ToolCaller | None = None
    name: str | None = None
    namespace: str | None = None
    status: ItemStatus | None = None
    created_by: str | None = None


class CustomToolCall(WireModel):
    """A model's call of a custom (free-form input) tool."""

    model_config = ConfigDict(serialize_by_alias=True)

    type: Literal["custom_tool_call"] = "custom_tool_call"
    call_id: str
    name: str
    input: str
    id: str | None = None
    async_: bool | None = Field(default=None, alias="async")
    caller: ToolCaller | None = None
    namespace: str | None = None
    status: ItemStatus | None = None


class CustomToolCallOutput(WireModel):
    """The output returned for a custom tool call's ``call_id``."""

    type: Literal["custom_tool_call_output"] = "custom_tool_call_output"
    call_id: str
    output: str | list[ContentPart]
    id: str | None = None
    caller: ToolCaller | None = None
    status: ItemStatus | None = None
    created_by: str | None = None


class McpApprovalRequest(WireModel):
    """The Responses backend asks to run a hosted MCP tool: answer with an
    ``McpApprovalResponse`` (``response.item.create``), then ``response.create``."""

    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    id: str
    server_label: str
    name: str
    arguments: str


class McpApprovalResponse(WireModel):
    """The answer to an ``McpApprovalRequest``."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    approval_request_id: str
    approve: bool
    id: str | None = None
    reason: str | None = None


class McpCallError(WireModel):
    """Why a hosted MCP call failed: ``mcp_protocol_error`` and ``http_error`` carry a
    ``code`` and ``message``, ``mcp_tool_execution_error`` the tool's ``content``."""

    type: Literal["mcp_protocol_error", "mcp_tool_execution_error", "http_error"] | str
    code: int | None = None
    message: str | None = None
    content: Any | None = None


class McpCall(WireModel):
    """A hosted MCP tool call the Responses backend ran, with its output or error."""

    type: Literal["mcp_call"] = "mcp_call"
    id: str
    server_label: str
    name: str
    arguments: str
    approval_request_id: str | None = None
    output: str | None = None
    error: McpCallError | None = None
    status: Literal["in_progress", "completed", "incomplete", "calling", "failed"] | None = None


class McpListedTool(WireModel):
    """A tool an MCP server listed, with its input's JSON Schema."""

    name: str
    input_schema: Any
    annotations: Any | None = None
    description: str | None = None


class McpListTools(WireModel):
    """The tools a remote MCP server listed to the Responses backend (or why it could not)."""

    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    id: str
    server_label: str
    tools: list[McpListedTool]
    error: str | None = None


class UnknownItem(WireModel):
    """An item of a kind this version does not type; every field is kept."""

    type: str


_DECISION_ITEM_TYPES = (
    "message",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
)
_ITEM_TYPES = (
    *_DECISION_ITEM_TYPES,
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "mcp_list_tools",
)

# A message's ``type`` is optional on the wire: an item without one is a message.
ResponseItem = Annotated[
    Annotated[Message, Tag("message")]
    | Annotated[FunctionCall, Tag("function_call")]
    | Annotated[FunctionCallOutput, Tag("function_call_output")]
    | Annotated[CustomToolCall, Tag("custom_tool_call")]
    | Annotated[CustomToolCallOutput, Tag("custom_tool_call_output")]
    | Annotated[McpApprovalRequest, Tag("mcp_approval_request")]
    | Annotated[McpApprovalResponse, Tag("mcp_approval_response")]
    | Annotated[McpCall, Tag("mcp_call")]
    | Annotated[McpListTools, Tag("mcp_list_tools")]
    | Annotated[UnknownItem, Tag("unknown")],
    Discriminator(by_type({kind: kind for kind in _ITEM_TYPES}, default="message")),
]
"""An item of the Responses backend's conversation; an unknown ``type`` becomes
``UnknownItem``."""

DecisionItem = Annotated[
    Annotated[Message, Tag("message")]
    | Annotated[FunctionCall, Tag("function_call")]
    | Annotated[FunctionCallOutput, Tag("function_call_output")]
    | Annotated[CustomToolCall, Tag("custom_tool_call")]
    | Annotated[CustomToolCallOutput, Tag("custom_tool_call_output")]
    | Annotated[UnknownItem, Tag("unknown")],
    Discriminator(by_type({kind: kind for kind in _DECISION_ITEM_TYPES}, default="message")),
]
"""An input item of the Decision API (messages, and function or custom tool calls and their
outputs); any other ``type`` becomes ``UnknownItem``."""


__all__ = [
    "ContentPart",
    "CustomToolCall",
    "CustomToolCallOutput",
    "DecisionItem",
    "FunctionCall",
    "FunctionCallOutput",
    "ImageDetail",
    "InputFile",
    "InputImage",
    "InputJson",
    "InputText",
    "ItemStatus",
    "McpApprovalRequest",
    "McpApprovalResponse",
    "McpCall",
    "McpCallError",
    "McpListTools",
    "McpListedTool",
    "Message",
    "OutputText",
    "Refusal",
    "ResponseItem",
    "ToolCaller",
    "UnknownContent",
    "UnknownItem",
]

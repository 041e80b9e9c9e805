"""Function tools: ``@tool``, schemas from signatures, validation, results, toolsets."""

from .background import Background, BackgroundDone
from .base import ApprovalCheck, BaseTool, ToolArgumentsError
from .context import ToolContext
from .failures import (
    FailureFormatter,
    ToolFailure,
    ToolUnavailable,
    default_failure_formatter,
    hide_details,
)
from .function_tool import FunctionTool, tool
from .toolset import DuplicateToolError, Toolset

__all__ = [
    "ApprovalCheck",
    "Background",
    "BackgroundDone",
    "BaseTool",
    "DuplicateToolError",
    "FailureFormatter",
    "FunctionTool",
    "ToolArgumentsError",
    "ToolContext",
    "ToolFailure",
    "ToolUnavailable",
    "Toolset",
    "default_failure_formatter",
    "hide_details",
    "tool",
]

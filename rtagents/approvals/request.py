"""What an approval handler is asked and what it answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .._json import format_arguments

ApprovalKind = Literal["function", "mcp_local", "mcp_hosted"]
Remember = Literal["once", "session"]
DecidedBy = Literal[
    "rule", "handler", "user", "timeout", "error", "default", "remembered", "closed"
]


@dataclass(frozen=True)
class ApprovalRequest:
    """A tool call waiting for a yes or no.

    ``kind`` says where the tool runs: ``"function"`` (a function tool), ``"mcp_local"`` (a
    tool of a local MCP server, run by this process) or ``"mcp_hosted"`` (run by the server
    after an ``mcp_approval_request``). ``arguments`` is the parsed JSON object.
    """

    id: str
    kind: ApprovalKind
    tool_name: str
    arguments: dict[str, Any]
    server_label: str | None = None
    call_id: str | None = None
    read_only: bool | None = None
    """The MCP ``readOnlyHint`` of the tool, when known."""
    agent: Any = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        """A short sentence for a person: ``send_email(to='ann@example.com')``."""
        args = format_arguments(self.arguments)
        where = f"{self.server_label}." if self.server_label else ""
        return f"{where}{self.tool_name}({args})"

    def fingerprint(self) -> str:
        """Identical requests (same tool, same arguments) share a fingerprint."""
        return json.dumps(
            [self.kind, self.server_label, self.tool_name, self.arguments],
            sort_keys=True,
            default=str,
        )


@dataclass(frozen=True)
class Decision:
    """An answer: ``approve``, an optional ``reason`` (told to the model when denied), and
    whether to ``remember`` it for identical requests for the rest of the session."""

    approve: bool
    reason: str | None = None
    remember: Remember = "once"
    decided_by: DecidedBy = "handler"

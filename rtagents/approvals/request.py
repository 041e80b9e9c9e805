"""What an approval handler is asked and what it answers."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel

from .._json import ArgumentsError, format_arguments, parse_object, shown_name

ApprovalKind = Literal["function", "mcp_local", "mcp_hosted"]
Remember = Literal["once", "session"]
DecidedBy = Literal[
    "rule", "handler", "user", "timeout", "error", "close", "cancelled", "remembered"
]


@dataclass(frozen=True)
class ApprovalRequest:
    """A tool call waiting for a yes or no.

    ``kind`` says where the tool runs: ``"function"`` (a function tool), ``"mcp_local"`` (a
    tool of a local MCP server, run by this process) or ``"mcp_hosted"`` (run by the server
    after an ``mcp_approval_request``).

    ``arguments`` are exactly what the tool will receive: for a function tool, its parameters
    after validation and coercion (``"false"`` has become ``False``); for an MCP tool, the
    parsed JSON object. When the arguments cannot be read at all (not JSON, nested too deep),
    ``arguments`` is empty, ``problem`` says why, and the request is always denied.
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
    problem: str | None = None
    """Why the arguments could not be read; such a request is denied whatever the policy."""
    server_tool_name: str | None = None
    """A local MCP tool's own name on its server, when the model is offered it under
    another (``tool_prefix``, a rename on a clash): a ``deny`` or ``ask`` rule's ``tool``
    matches it too, and an ``allow`` rule's when that rule names the server."""

    @classmethod
    def for_call(
        cls,
        call_id: str,
        tool_name: str,
        arguments: dict[str, Any],
        *,
        server_label: str | None,
        read_only: bool | None,
        agent: Any,
        server_tool_name: str | None = None,
    ) -> ApprovalRequest:
        """A call this process runs: a function tool, or a local MCP tool (``server_label``,
        and ``server_tool_name``, its name there)."""
        return cls(
            id=call_id,
            kind="mcp_local" if server_label else "function",
            tool_name=tool_name,
            arguments=arguments,
            server_label=server_label,
            call_id=call_id,
            read_only=read_only,
            agent=agent,
            server_tool_name=server_tool_name if server_tool_name != tool_name else None,
        )

    @classmethod
    def for_hosted(
        cls,
        request_id: str,
        server_label: str,
        tool_name: str,
        arguments: str,
        *,
        read_only: bool | None,
        agent: Any,
    ) -> ApprovalRequest:
        """A hosted MCP ``mcp_approval_request``, whose arguments arrive as JSON text (read
        strictly: the server, not this process, hands them on, and the policy must judge
        what the tool will get)."""
        try:
            parsed, problem = parse_object(arguments, strict=True), None
        except ArgumentsError as exc:
            parsed, problem = {}, str(exc)
        return cls(
            id=request_id,
            kind="mcp_hosted",
            tool_name=tool_name,
            arguments=parsed,
            server_label=server_label,
            read_only=read_only,
            agent=agent,
            problem=problem,
        )

    def describe(self) -> str:
        """A short sentence for a person: ``send_email(to='ann@example.com')``."""
        args = format_arguments(self.arguments)
        where = f"{shown_name(self.server_label)}." if self.server_label else ""
        return f"{where}{shown_name(self.tool_name)}({args})"

    def fingerprint(self) -> str | None:
        """Identical requests (same tool, same arguments) share a fingerprint, a digest of
        their exact form (what a session remembers is small, however large the arguments);
        ``None`` when an argument has no exact form to compare by (a ``SecretStr``, which
        shows only stars; an object its ``str`` describes): such a request is never taken
        for another. A local MCP tool is the same tool by its name on its server too: a
        relisting may offer another tool under a name that was renamed."""
        try:
            exact = json.dumps(
                [
                    self.kind,
                    self.server_label,
                    self.tool_name,
                    self.server_tool_name,
                    self.arguments,
                ],
                sort_keys=True,
                default=_exact,
            )
        except (TypeError, ValueError):
            return None
        return hashlib.sha256(exact.encode()).hexdigest()  # (ASCII: json.dumps escapes the rest)


@dataclass(frozen=True)
class Decision:
    """An answer: ``approve``, an optional ``reason`` (told to the model when denied), and
    whether to ``remember`` it for identical requests for the rest of the session.

    Only ``approve=True`` (the bool itself) approves: ``Decision("yes")``, ``Decision(1)``
    or ``Decision(None)`` are mistakes, and deny.
    """

    approve: bool
    reason: str | None = None
    remember: Remember = "once"
    decided_by: DecidedBy = "handler"


def _exact(value: Any) -> Any:
    """``value`` in a JSON form that tells it from every other value it could be, or a
    ``TypeError`` (see ``ApprovalRequest.fingerprint``)."""
    if isinstance(value, BaseModel):
        return value.model_dump()  # (a field with no exact form raises in its turn)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _TOLD_BY_STR):
        return str(value)
    raise TypeError(f"{type(value).__qualname__} has no exact form to compare by")


_TOLD_BY_STR = (datetime.date, datetime.time, uuid.UUID, decimal.Decimal, PurePath)
"""Types whose ``str`` is the value itself (not a summary, not a mask)."""

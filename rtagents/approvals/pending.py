"""A request being decided: its first answer wins, whoever gives it (the policy, an outside
answer, the close), and an answer at or past its deadline is the timeout's deny."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from .policy import ApprovalPolicy, Naming
from .request import ApprovalRequest, Decision
from .verdict import refuse


class HostedScope(Protocol):
    """What a hosted MCP server's configuration lets it offer (``HostedMCP``)."""

    def allows(self, tool: str, read_only: bool | None) -> bool: ...


def outside_of(request: ApprovalRequest, servers: Mapping[str, HostedScope]) -> Naming | None:
    """What of a hosted request the agent's configuration (``servers``, by label) does not
    cover: the server (not one it configured), the tool (one its ``allowed_tools`` leave
    out), or nothing."""
    label = request.server_label
    scope = servers.get(label) if label else None
    if scope is None:
        return "server"
    return None if scope.allows(request.tool_name, request.read_only) else "tool"


@dataclass
class Pending:
    request: ApprovalRequest
    policy: ApprovalPolicy
    """The policy that decides it: the session's, or the one a call's agent had when its
    response was made (a handoff since changed the session's)."""
    hosted: Mapping[str, HostedScope] | None = None
    """That agent's hosted MCP servers, with its policy (``None``: the session's)."""
    answered: anyio.Event = field(default_factory=anyio.Event)
    decision: Decision | None = None
    reported: bool = False
    outside: anyio.Event = field(default_factory=anyio.Event)
    """Set once an outside yes may count: the policy left the request to one, or it is
    decided (and the yes comes too late)."""
    raised: BaseException | None = None
    """What the handler raised past ``Exception`` (``SystemExit``): the app's exit, once the
    deny it led to is reported."""
    deadline: float = math.inf
    late: Decision | None = None
    """What any answer at or past ``deadline`` becomes (the timeout's deny), once the clock
    runs: the time decides, not which task the deadline's cancellation reaches first."""

    def answer(self, decision: Decision) -> bool:
        if self.decision is not None:
            return False  # the first answer wins
        if self.late is not None and anyio.current_time() >= self.deadline:
            decision = self.late
        self.decision = decision
        self.answered.set()
        self.outside.set()  # wakes a yes waiting for the handler: it lost
        return True


def timed_out(timeout: float) -> Decision:
    return refuse(f"nobody approved it within {timeout:g} s", "timeout")

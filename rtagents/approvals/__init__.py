"""Approvals: one policy for function tools, local MCP tools and hosted MCP requests."""

from .events import ApprovalAwaiting, ApprovalDecided, ApprovalRequested
from .policy import ApprovalPolicy, Handler
from .request import ApprovalKind, ApprovalRequest, Decision
from .rules import Rule, allow, ask, deny

__all__ = [
    "ApprovalAwaiting",
    "ApprovalDecided",
    "ApprovalKind",
    "ApprovalPolicy",
    "ApprovalRequest",
    "ApprovalRequested",
    "Decision",
    "Handler",
    "Rule",
    "allow",
    "ask",
    "deny",
]

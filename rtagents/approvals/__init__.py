"""Approvals: one policy for function tools, local MCP tools and hosted MCP requests; and
guardrails, the same fail-closed rule for what is said."""

from .events import ApprovalAwaiting, ApprovalDecided, ApprovalRequested, GuardrailTripped
from .guardrails import PASS, Guardrail, GuardrailResult, Guardrails, GuardrailTrip, Trip
from .policy import ApprovalPolicy, Handler
from .request import ApprovalKind, ApprovalRequest, Decision
from .rules import Rule, allow, ask, deny

__all__ = [
    "PASS",
    "ApprovalAwaiting",
    "ApprovalDecided",
    "ApprovalKind",
    "ApprovalPolicy",
    "ApprovalRequest",
    "ApprovalRequested",
    "Decision",
    "Guardrail",
    "GuardrailResult",
    "GuardrailTrip",
    "GuardrailTripped",
    "Guardrails",
    "Handler",
    "Rule",
    "Trip",
    "allow",
    "ask",
    "deny",
]

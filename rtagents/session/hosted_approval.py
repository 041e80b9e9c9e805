"""A hosted MCP approval request: the server runs the tool, and asks first whether it may.
Decided like a call of the agent whose response made it (its policy, its hosted servers),
and always answered: a failure before the decision is a deny."""

from __future__ import annotations

import logging
from typing import Protocol

from .. import protocol as p
from ..approvals import ApprovalPolicy, ApprovalRequest, deny
from ..approvals.verdict import why_denied
from ..errors import root_cause
from .calls import CallSettings
from .hosted_listings import HostedListings

log = logging.getLogger("rtagents.session")


class Answers(Protocol):
    """Where the answer goes (the session's core, then the wire)."""

    async def approval(self, request_id: str, approve: bool, reason: str | None) -> None: ...


async def answer_hosted(
    request: p.McpApprovalRequest,
    settings: CallSettings,
    listed: HostedListings,
    answers: Answers,
    *,
    denied: str | None = None,
) -> None:
    """Decide ``request`` by ``settings`` (``listed``: what each hosted server listed: a
    tool's read-only hint, from the server ``settings`` configure for its label only), or
    deny it for the reason ``denied`` without asking the policy, and answer it. The gate
    itself never raises."""
    try:
        tools = listed.listed_by(request.server_label, settings.hosted.get(request.server_label))
        annotations = tools[request.name].annotations if request.name in tools else None
        read_only = annotations.get("readOnlyHint") if isinstance(annotations, dict) else None
        decision = await settings.approvals.decide(
            ApprovalRequest.for_hosted(
                request.id,
                request.server_label,
                request.name,
                request.arguments,
                read_only=read_only if isinstance(read_only, bool) else None,
                agent=settings.agent,
            ),
            ApprovalPolicy(rules=[deny(reason=denied)]) if denied else settings.policy,
            settings.hosted,
        )
        approve = decision.approve is True
        reason = decision.reason if approve else why_denied(decision)
    except Exception as exc:
        log.exception("hosted approval request %s failed", request.id)
        approve, reason = False, f"the request could not be decided: {root_cause(exc)}"
    await answers.approval(request.id, approve, reason)

"""One session's approvals: asking the policy, waiting for answers, remembering them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from .._event import FrameworkEvent
from .events import ApprovalDecided, ApprovalRequested
from .policy import ApprovalPolicy
from .request import ApprovalRequest, Decision

log = logging.getLogger("rtagents.approvals")


@dataclass
class _Pending:
    request: ApprovalRequest
    answered: anyio.Event = field(default_factory=anyio.Event)
    decision: Decision | None = None

    def answer(self, decision: Decision) -> bool:
        if self.decision is not None:
            return False  # the first answer wins
        self.decision = decision
        self.answered.set()
        return True


class ApprovalBroker:
    """Decides requests with a policy; pending ones can be answered from outside.

    A decision may take as long as the policy's timeout, but only the call that asked
    waits: it runs in that call's own task, never on the event stream.
    """

    def __init__(
        self, policy: ApprovalPolicy | None, emit: Callable[[FrameworkEvent], None]
    ) -> None:
        self.policy = policy or ApprovalPolicy()
        self._emit = emit
        self._pending: dict[str, _Pending] = {}
        self._memory: dict[str, Decision] = {}
        self._closed = False

    @property
    def pending(self) -> list[ApprovalRequest]:
        return [p.request for p in self._pending.values()]

    async def decide(self, request: ApprovalRequest) -> Decision:
        self._emit(ApprovalRequested(request))
        decision = await self._decide(request)
        if decision.remember == "session" and decision.decided_by in ("handler", "user"):
            self._memory[request.fingerprint()] = decision
        self._emit(ApprovalDecided(request, decision.approve, decision.reason, decision.decided_by))
        return decision

    async def _decide(self, request: ApprovalRequest) -> Decision:
        if self._closed:
            return Decision(False, "the session is closing", decided_by="closed")
        remembered = self._memory.get(request.fingerprint())
        if remembered is not None:
            return Decision(remembered.approve, remembered.reason, "session", "remembered")
        rule = self.policy.rule_for(request)
        if rule is not None and rule.action != "ask":
            return Decision(rule.action == "allow", rule.reason, decided_by="rule")
        pending = self._pending[request.id] = _Pending(request)
        try:
            with anyio.move_on_after(self.policy.timeout):
                async with anyio.create_task_group() as tg:
                    if self.policy.handler is not None:
                        tg.start_soon(self._ask_handler, pending)
                    await pending.answered.wait()
                    tg.cancel_scope.cancel()
        finally:
            self._pending.pop(request.id, None)
        return pending.decision or self.policy.default_decision()

    async def _ask_handler(self, pending: _Pending) -> None:
        try:
            decision = await self.policy.ask_handler(pending.request)
        except Exception as exc:
            log.warning("approval handler failed for %s: %r", pending.request.tool_name, exc)
            pending.answer(
                Decision(
                    False,
                    f"the approval handler failed: {type(exc).__name__}: {exc}",
                    decided_by="error",
                )
            )
            return
        if decision is not None:
            pending.answer(decision)

    def resolve(
        self, request_id: str, approve: bool, reason: str | None = None, *, remember: Any = "once"
    ) -> bool:
        """Answer a pending request from outside the handler; False if none is pending."""
        pending = self._pending.get(request_id)
        if pending is None:
            return False
        return pending.answer(Decision(approve, reason, remember, "user"))

    def close(self) -> None:
        """Deny every pending request, so that nothing waits on a closed session."""
        self._closed = True
        for pending in list(self._pending.values()):
            pending.answer(Decision(False, "the session closed", decided_by="closed"))

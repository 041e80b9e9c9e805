"""``ApprovalPolicy``: rules first, then the handler, then the default; safe by default."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, Union

import anyio.to_thread

from .request import ApprovalRequest, Decision
from .rules import Rule

HandlerResult = Union[bool, Decision, None]
Handler = Callable[[ApprovalRequest], Union[HandlerResult, Awaitable[HandlerResult]]]


class ApprovalPolicy:
    """Decides tool calls that need approval, for every kind of tool the same way.

    Order: a decision remembered for this session, then ``rules`` (the first that matches
    wins), then ``handler``, then ``default``. A handler returns ``True``/``False`` or a
    :class:`Decision`, sync or async; it may return ``None`` to leave the answer to
    ``session.approve()``/``session.deny()`` (a UI, a voice confirmation).

    Safe by default: a request that no rule decides and nobody answers within ``timeout``
    seconds is decided by ``default``, which is ``"deny"``. A handler that raises denies.

    Args:
        rules: :func:`allow`, :func:`deny` and :func:`ask` rules, in order.
        handler: Asked about requests no rule decided (or that a rule sent to ``ask``).
        default: What happens when nobody answers in time: ``"deny"`` or ``"allow"``.
        timeout: Seconds to wait for the handler or an out-of-band answer.
    """

    def __init__(
        self,
        rules: Sequence[Rule] = (),
        handler: Handler | None = None,
        default: Literal["deny", "allow"] = "deny",
        timeout: float = 60.0,
    ) -> None:
        if default not in ("deny", "allow"):
            raise ValueError(f"default must be 'deny' or 'allow', not {default!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        for rule in rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"{rule!r} is not a rule: use rtagents.approvals.allow/deny/ask")
        self.rules = list(rules)
        self.handler = handler
        self.default = default
        self.timeout = timeout

    def rule_for(self, request: ApprovalRequest) -> Rule | None:
        return next((rule for rule in self.rules if rule.matches(request)), None)

    async def ask_handler(self, request: ApprovalRequest) -> Decision | None:
        """The handler's answer as a Decision, or None when it leaves it to someone else."""
        if self.handler is None:
            return None
        if inspect.iscoroutinefunction(self.handler):
            result = await self.handler(request)
        else:
            # A sync handler may block (a prompt, a lookup): keep it off the event loop.
            result = await anyio.to_thread.run_sync(self.handler, request, abandon_on_cancel=True)
            if inspect.isawaitable(result):
                result = await result
        return to_decision(result, "handler")

    def default_decision(self) -> Decision:
        approve = self.default == "allow"
        reason = None if approve else f"nobody approved it within {self.timeout:g} s"
        return Decision(approve, reason, decided_by="timeout")

    def __repr__(self) -> str:
        return f"ApprovalPolicy(rules={len(self.rules)}, handler={self.handler!r}, default={self.default!r})"


def to_decision(result: object, decided_by: str) -> Decision | None:
    if result is None:
        return None
    if isinstance(result, Decision):
        return Decision(result.approve, result.reason, result.remember, decided_by)  # type: ignore[arg-type]
    if isinstance(result, bool):
        return Decision(result, decided_by=decided_by)  # type: ignore[arg-type]
    raise TypeError(
        f"an approval handler must return True, False, a Decision or None, not {result!r}"
    )

"""``ApprovalPolicy``: rules first, then the handler; whatever is not an explicit yes denies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, Union

import anyio.from_thread

from .._either import call_either, is_async
from .._seconds import check_seconds
from .request import ApprovalRequest, Decision
from .rules import Rule

HandlerResult = Union[bool, Decision, None]
Handler = Callable[[ApprovalRequest], Union[HandlerResult, Awaitable[HandlerResult]]]
Naming = Literal["server", "tool"]
"""What a rule must name itself to decide a hosted request the agent's configuration does not
cover: its server (one never configured), or its tool (one ``allowed_tools`` leave out)."""


class ApprovalPolicy:
    """Decides tool calls that need approval, for every kind of tool the same way.

    Order: a decision remembered for this session, then ``rules`` (the first that matches
    wins), then ``handler``. A handler returns ``True``/``False`` or a ``Decision``,
    sync or async; it may return ``None`` to leave the answer to
    ``session.approve()``/``session.deny()`` (a UI, a voice confirmation).

    Fail closed: only an explicit, well-typed yes approves. A request that no rule decides
    and nobody answers within ``timeout`` seconds is denied; so is one whose handler raises
    or answers anything but ``True``, ``False`` or a ``Decision`` with a ``bool``.

    Args:
        rules: ``allow``, ``deny`` and ``ask`` rules, in order.
        handler: Asked about requests no rule decided (or that a rule sent to ``ask``).
            Sync handlers run in worker threads of their own, never queued behind tools.
        default: Only ``"deny"``: what happens when nobody answers in time.
        timeout: Seconds to wait for an answer, counted from when the handler starts.
    """

    def __init__(
        self,
        rules: Sequence[Rule] = (),
        handler: Handler | None = None,
        default: Literal["deny"] = "deny",
        timeout: float = 60.0,
    ) -> None:
        if str(default) == "allow":  # a str at run time, whatever the annotation says
            raise ValueError(
                "default='allow' is not supported: a request nobody answered is always denied. "
                "To approve what no other rule matches, end the rules with allow()."
            )
        if default != "deny":
            raise ValueError(f"default must be 'deny', not {default!r}")
        check_seconds(timeout, "timeout")
        if isinstance(rules, Rule):  # one rule given for the list
            raise TypeError("rules takes a list of rules, as in rules=[allow(...)]")
        for rule in rules:
            if not isinstance(rule, Rule):
                raise TypeError(f"{rule!r} is not a rule: use rtagents.approvals.allow/deny/ask")
        if handler is not None and not callable(handler):
            raise TypeError(f"the approval handler must be callable, not {handler!r}")
        self.rules = list(rules)
        self.handler = handler
        self.default = default
        self.timeout = timeout

    @property
    def denies(self) -> bool:
        """Whether a targeted rule denies: only then is a call that needs no approval
        checked (``veto_for``)."""
        return any(rule.action == "deny" and rule.targeted for rule in self.rules)

    def veto_for(self, request: ApprovalRequest) -> Rule | None:
        """For a call that needs no approval: the first targeted rule that matches, if it
        is a ``deny`` (an ``allow`` or ``ask`` first lets the call run)."""
        for rule in self.rules:
            if rule.targeted and rule.matches(request):
                return rule if rule.action == "deny" else None
        return None

    def rule_for(self, request: ApprovalRequest, *, naming: Naming | None = None) -> Rule | None:
        """The first rule that matches; with ``naming``, only deny rules and rules that name
        the request's ``"server"`` (one the agent never configured) or ``"tool"`` (one its
        configuration leaves out) explicitly count (a targeted deny meets every call)."""
        for rule in self.rules:
            named = rule.action == "deny" or naming is None
            if not named and naming == "server":
                named = rule.names_server(request.server_label or "")
            elif not named:
                named = rule.names_tool(request.tool_name)
            if named and rule.matches(request):
                return rule
        return None

    async def ask_handler(
        self,
        request: ApprovalRequest,
        *,
        started: Callable[[], None],
        limiter: anyio.CapacityLimiter,
    ) -> Any:
        """The handler's raw answer (judged by the caller). ``started`` is called when the
        handler begins to run, which for a sync one is when a worker thread picks it up."""
        handler = self.handler
        if handler is None:
            started()
            return None
        if is_async(handler):
            started()
            return await handler(request)

        def run() -> Any:
            anyio.from_thread.run_sync(started)
            return handler(request)

        # A sync handler may block (a prompt, a lookup): keep it off the event loop, and on
        # threads of its own, so that busy sync tools cannot starve it.
        return await call_either(run, limiter=limiter)

    def __repr__(self) -> str:
        return f"ApprovalPolicy(rules={len(self.rules)}, handler={self.handler!r}, timeout={self.timeout:g})"

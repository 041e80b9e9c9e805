"""One session's approvals: the gate every request goes through.

``decide`` is the only way to a decision, and it never raises (but for cancellation): a
rule, predicate or handler that raises, hangs or answers something malformed becomes a
deny with ``decided_by`` and a reason. Each request gets exactly one ``approval.requested``
and one ``approval.decided`` event, whatever ends it, the session's close included.

An answer from outside (``session.approve``/``deny``: a UI, a supervisor, the command line)
never overrides the policy. A yes counts only once the policy has left the request to an
outside answer (no handler, or a handler that returned ``None``; ``approval.awaiting``
says so); a yes given while the handler still decides waits for it. A no counts at once,
since it can only make the outcome safer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import anyio

from .._either import detach, let_go
from .._event import FrameworkEvent
from .events import ApprovalAwaiting, ApprovalDecided, ApprovalRequested
from .needs import needs
from .pending import HostedScope, Pending, outside_of, timed_out
from .policy import ApprovalPolicy
from .request import ApprovalRequest, DecidedBy, Decision
from .verdict import failure, refuse, verdict

log = logging.getLogger("rtagents.approvals")

NOT_REQUIRED = Decision(True, "the tool needs no approval for this call", decided_by="rule")
"""What ``ApprovalBroker.authorize`` returns when a tool's own check waived approval."""

_WITHDRAWN = "the agent changed while it waited for approval (update_agent): not approved"
_STOPPED_KEPT = 256
_REMEMBERED_KEPT = 1024  # answers remembered for the session, the latest
_HANDLER_THREADS = 16  # per session: sync handlers never wait behind sync tools


class ApprovalBroker:
    """Decides requests with a policy; pending ones can be answered from outside.

    A decision may take as long as the policy's timeout, but only the call that asked
    waits: it runs in that call's own task, never on the event stream.

    Args:
        policy: The agent's policy (``None``: deny everything that needs approval).
        emit: Where ``approval.requested`` / ``approval.decided`` events go.
        hosted_servers: The hosted MCP servers the agent configured, by label. A hosted
            request from any other server is denied unless a rule names that server
            explicitly; one for a tool its ``allowed_tools`` leave out, unless a rule names
            that tool explicitly.
    """

    # Class attributes until set (performance.md, "Density").
    _generation = 0  # which policy the memory belongs to (see ``follow``)
    _withdrawals = 0  # the app's switches so far (see ``withdraw``)
    _closed = False
    _limiter: anyio.CapacityLimiter | None = None
    # Where a SystemExit or KeyboardInterrupt from the app's approval code goes (the
    # session's end: connect raises it); without it, it is raised after the deny.
    _app_exit: Callable[[BaseException], None] | None = None

    def __init__(
        self,
        policy: ApprovalPolicy | None,
        emit: Callable[[FrameworkEvent], None],
        hosted_servers: Callable[[], Mapping[str, HostedScope]] = dict,
        app_exit: Callable[[BaseException], None] | None = None,
        agent: Any = None,
    ) -> None:
        self.policy = policy or ApprovalPolicy()
        self._agent = agent  # whose calls the memory is for (``None``: any's)
        self._emit = emit
        self._hosted_servers = hosted_servers
        if app_exit is not None:
            self._app_exit = app_exit
        self._pending: dict[str, Pending] = {}
        self._memory: dict[str, Decision] = {}
        self._stopped: dict[str, None] = {}  # stopped before they were asked (see ``stop``)

    def follow(
        self, policy: ApprovalPolicy | None, agent: Any = None, *, forget: bool = True
    ) -> None:
        """Decide by ``policy`` from now on (a handoff's ``agent``). What was remembered for
        the session under the policy before is forgotten (a yes given there must not pass
        over the new policy's rules), unless ``forget`` is false: the same policy, for the
        same agent again (its tools relisted)."""
        if not forget:  # the same policy (its own default, when none): only the agent
            self._agent = agent
            return
        self.policy, self._agent = policy or ApprovalPolicy(), agent
        self._memory.clear()
        self._generation += 1  # a decision under the old policy, still pending, is not kept

    def withdraw(self) -> None:
        """The app's own switch of agents took (``update_agent``): a request still waiting
        is denied, and so is one whose call's ``needs_approval`` check is still running, for
        no policy but the one taken now decides (the model may call again, for it to
        decide). Whatever the policy: the agent or its policy may have been changed in
        place, and the same object then holds what the app switched to."""
        self._withdrawals += 1
        for pending in list(self._pending.values()):
            pending.answer(refuse(_WITHDRAWN, "cancelled"))

    @property
    def pending(self) -> list[ApprovalRequest]:
        return [p.request for p in self._pending.values() if p.decision is None]

    # -- the gate ----------------------------------------------------------------------------

    @staticmethod
    def waives(check: Any) -> bool:
        """Whether a tool's ``needs_approval`` waives approval for every call: only an
        explicit ``False`` does (a caller may then skip ``authorize`` if the policy has no
        targeted ``deny`` rule, which meets every call)."""
        return check is False

    async def authorize(
        self,
        request: Callable[[], ApprovalRequest],
        check: Any,
        ctx: Any,
        policy: ApprovalPolicy | None = None,
    ) -> Decision:
        """For a call this process runs: ``check`` is the tool's ``needs_approval`` (a bool or
        a predicate of the context and the arguments). Only an explicit ``False`` from it
        waives approval (``NOT_REQUIRED``, unless a targeted ``deny`` rule matches the
        call, which denies it); ``True`` asks ``decide``; a predicate
        that raises, hangs past the policy's timeout or answers a non-bool denies.
        ``request`` makes the request, only when one is needed (not on the hot path of a
        tool that needs no approval). ``policy``: the policy of the agent the call was made
        for, when a handoff has changed the session's since (see ``decide``)."""
        policy = self.policy if policy is None else policy
        if self.waives(check):
            return self._screened(request(), policy) if policy.denies else NOT_REQUIRED
        made = request()
        if check is not True:
            withdrawals = self._withdrawals
            try:
                needed = await needs(check, ctx, made.arguments, policy.timeout, self._threads())
            except anyio.get_cancelled_exc_class():
                raise
            except BaseException as exc:  # SystemExit, KeyboardInterrupt: a deny, then the exit
                denied = self._refused(
                    made, refuse(f"needs_approval raised {failure(exc, 200)}", "error")
                )
                if not isinstance(exc, Exception):
                    self._exit(exc)
                return denied
            if isinstance(needed, Decision):  # it hung, or answered no bool
                return self._refused(made, needed)
            if self._withdrawals != withdrawals:  # the app switched agents meanwhile
                return self._refused(made, refuse(_WITHDRAWN, "cancelled"))
            if self._closed or (self._stopped and self._stopped.pop(made.id, False) is None):
                # The call ended while its check ran (a barge-in, the close), and the check
                # went on all the same (it swallowed the cancellation): what it says is
                # never a way for the tool to run.
                return self._refused(made, self._cancelled())
            if needed is False:
                return self._screened(made, policy)
        return await self.decide(made, policy)

    def _screened(self, request: ApprovalRequest, policy: ApprovalPolicy) -> Decision:
        """A call that needs no approval still meets the policy's targeted ``deny`` rules
        (``ApprovalPolicy.veto_for``). Nobody is asked, and no event is told unless it is
        denied."""
        try:
            rule = policy.veto_for(request)
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:  # a `when` that raised: fail closed (an exit: then exit)
            reason = f"the approval could not be decided: {failure(exc, 200)}"
            denied = self._refused(request, refuse(reason, "error"))
            if not isinstance(exc, Exception):
                self._exit(exc)
            return denied
        if rule is None:
            return NOT_REQUIRED
        return self._refused(request, Decision(False, rule.reason, decided_by="rule"))

    async def decide(
        self,
        request: ApprovalRequest,
        policy: ApprovalPolicy | None = None,
        hosted: Mapping[str, HostedScope] | None = None,
    ) -> Decision:
        """The decision for ``request``; ``approve`` is ``True`` only for an explicit yes.
        ``policy`` decides instead of the session's, with ``hosted``, that agent's hosted
        MCP servers: a call made for the agent before a handoff is decided as that agent's
        were. It neither reads nor writes what the session remembers: that belongs to the
        session's policy alone."""
        self._emit(ApprovalRequested(request))
        pending = Pending(request, self.policy if policy is None else policy, hosted)
        self._pending[request.id] = pending
        generation = self._generation
        try:
            decision = await self._decide(pending)
        except anyio.get_cancelled_exc_class():
            pending.answer(self._cancelled())  # wakes a waiting yes
            self._report(pending, pending.decision or self._cancelled())
            raise
        except Exception as exc:  # a rule, a predicate, a fingerprint: anything that broke
            # The message may quote the arguments (content): the log says what kind it was;
            # the decision's reason (told to the app and the model) says the rest.
            log.warning("approval of %r failed (%s): denied", request.tool_name, type(exc).__name__)
            decision = refuse(f"the approval could not be decided: {failure(exc, 200)}", "error")
        except BaseException as exc:  # a `when` that exits: a deny, then the app's exit
            pending.raised = pending.raised or exc
            decision = refuse(f"the approval could not be decided: {failure(exc, 200)}", "error")
        finally:
            if self._pending.get(request.id) is pending:
                del self._pending[request.id]
        pending.answer(decision)  # a no-op when an answer (the close) came first
        final = pending.decision or decision
        self._report(pending, final)
        if pending.raised is not None:  # the call is denied; then the app's exit
            self._exit(pending.raised)
        remembered = final.remember == "session" and final.decided_by in ("handler", "user")
        fingerprint = request.fingerprint() if remembered else None
        if fingerprint is not None and generation == self._generation and self._ours(pending):
            self._memory[fingerprint] = final
            if len(self._memory) > _REMEMBERED_KEPT:  # the oldest is asked about again
                del self._memory[next(iter(self._memory))]
        return final

    def _ours(self, pending: Pending) -> bool:
        """Whether the session's memory is the request's: decided by the session's policy,
        for its agent (a call kept for an agent that handed off is that agent's, even when
        both share one policy object)."""
        agent, mine = pending.request.agent, self._agent
        return pending.policy is self.policy and (None in (agent, mine) or agent is mine)

    async def _decide(self, pending: Pending) -> Decision:
        request = pending.request
        if self._closed:
            return refuse("the session is closing", "close")
        if self._stopped and self._stopped.pop(request.id, False) is None:
            return self._cancelled()
        if request.problem is not None:
            return refuse(f"the arguments cannot be checked: {request.problem}", "error")
        servers = self._hosted_servers() if pending.hosted is None else pending.hosted
        outside = outside_of(request, servers) if request.kind == "mcp_hosted" else None
        policy = pending.policy
        ours = self._ours(pending) and not outside
        fingerprint = request.fingerprint() if ours else None
        remembered = self._memory.get(fingerprint) if fingerprint is not None else None
        if remembered is not None:
            return Decision(remembered.approve, remembered.reason, "session", "remembered")
        rule = policy.rule_for(request, naming=outside)
        if outside is not None and (rule is None or rule.action == "ask"):
            # Outside what the agent configured, only a rule's own allow or deny decides: a
            # handler (or an outside yes) never does, whatever an ``ask`` rule says.
            named = "no rule names it" if rule is None else "only an ask rule names it"
            if outside == "server":
                what = f"the hosted MCP server {request.server_label!r} is not one this agent"
                return refuse(f"{what} configured, and {named}", "rule")
            what = f"{request.tool_name!r} is not among the allowed_tools this agent configured"
            return refuse(
                f"{what} for the hosted MCP server {request.server_label!r}, and {named}", "rule"
            )
        if rule is not None and rule.action != "ask":
            return Decision(rule.action == "allow", rule.reason, decided_by="rule")
        return await self._ask(pending)

    async def _ask(self, pending: Pending) -> Decision:
        """Wait for the handler or an out-of-band answer, up to the policy's timeout counted
        from when the handler starts running."""
        timeout = pending.policy.timeout
        with anyio.CancelScope() as clock:

            def start_clock() -> None:
                clock.deadline = min(clock.deadline, anyio.current_time() + timeout)
                pending.deadline, pending.late = clock.deadline, timed_out(timeout)

            asking = None
            if pending.policy.handler is None:
                start_clock()
                self._leave_outside(pending)
            else:  # not waited for once decided: a shielded prompt holds back no deny
                asking = detach(self._ask_handler(pending, start_clock))
            try:
                await pending.answered.wait()
            except anyio.get_cancelled_exc_class():
                # The call ended, or the deadline passed (the timeout, then): that decides
                # now; no answer after it counts (a shielded prompt may yet say yes).
                pending.answer(self._cancelled())
                raise
            finally:
                if asking is not None:
                    let_go(asking)
        return pending.decision or timed_out(timeout)

    def _cancelled(self) -> Decision:
        """The deny of a request whose call ended before it was decided."""
        by: DecidedBy = "close" if self._closed else "cancelled"
        return refuse(f"the call was cancelled ({by})", by)

    def _threads(self) -> anyio.CapacityLimiter:
        """This session's threads for sync approval code: none starves the app's, or them."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(_HANDLER_THREADS)
        return self._limiter

    async def _ask_handler(self, pending: Pending, started: Callable[[], None]) -> None:
        try:
            answer = await pending.policy.ask_handler(
                pending.request, started=started, limiter=self._threads()
            )
        except Exception as exc:
            name, kind = pending.request.tool_name, type(exc).__name__
            log.warning("approval handler failed for %r (%s): denied", name, kind)
            pending.answer(refuse(f"the approval handler failed: {failure(exc, 200)}", "error"))
            return
        except anyio.get_cancelled_exc_class():
            raise
        except BaseException as exc:  # SystemExit, KeyboardInterrupt: a deny, then the exit
            if pending.decision is not None:  # decided at its deadline: the exit is left
                return self._exit(exc)
            pending.raised = exc
            pending.answer(refuse(f"the approval handler raised {failure(exc, 200)}", "error"))
            return
        if answer is None:  # None leaves the answer to session.approve/deny
            self._leave_outside(pending)
        else:
            pending.answer(verdict(answer, "handler"))

    def _exit(self, exc: BaseException) -> None:
        """The app's approval code raised ``exc`` (``SystemExit``, ``KeyboardInterrupt``): the
        call is denied already; the session ends, or ``exc`` is raised (no session)."""
        if self._app_exit is None:
            raise exc
        self._app_exit(exc)

    def _leave_outside(self, pending: Pending) -> None:
        if pending.decision is None and not pending.outside.is_set():
            pending.outside.set()
            self._emit(ApprovalAwaiting(pending.request))

    # -- answers from outside, and the end -----------------------------------------------------

    async def resolve(
        self, request_id: str, approve: object, reason: str | None = None, *, remember: Any = "once"
    ) -> bool:
        """Answer a pending request from outside the policy; True if this answer decided it.

        A no decides at once. A yes decides only a request the policy left to an outside
        answer: while the handler still decides, it waits for the handler, and counts only
        if the handler returns ``None``."""
        if not isinstance(request_id, str):  # (the request itself, given for its id)
            raise TypeError(
                "approve() and deny() take the request's id (event.request.id), not a "
                f"{type(request_id).__name__}"
            )
        pending = self._pending.get(request_id)
        if pending is None:
            return False
        decision = verdict(Decision(approve, reason, remember), "user")  # type: ignore[arg-type]
        if decision.approve:
            await pending.outside.wait()
        return pending.answer(decision)

    def stop(self, request_id: str) -> None:
        """Deny a request as cancelled (its turn was stopped: a guardrail, a barge-in): now
        if pending, else as it comes (its task may not have started yet)."""
        if (pending := self._pending.get(request_id)) is not None:
            pending.answer(self._cancelled())
            return
        self._stopped[request_id] = None
        if len(self._stopped) > _STOPPED_KEPT:  # (most are calls that never ask)
            del self._stopped[next(iter(self._stopped))]

    def close(self) -> None:
        """Deny every pending request and report it now: the tasks waiting on them are about
        to be cancelled with the session."""
        self._closed = True
        for pending in list(self._pending.values()):
            pending.answer(refuse("the session closed", "close"))
            self._report(pending, pending.decision or refuse("the session closed", "close"))

    def _refused(self, request: ApprovalRequest, decision: Decision) -> Decision:
        """A request denied before it reached the policy: reported like any other."""
        self._emit(ApprovalRequested(request))
        self._report(Pending(request, self.policy), decision)
        return decision

    def _report(self, pending: Pending, decision: Decision) -> None:
        if pending.reported:
            return
        pending.reported = True
        self._emit(
            ApprovalDecided(pending.request, decision.approve, decision.reason, decision.decided_by)
        )

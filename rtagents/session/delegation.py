"""GPT-Live's client delegation: the model hands work to the app, and the agent's
``on_delegation`` hook answers it.

The hook gets a ``Delegation`` (its id, what was said since the last delegation, and the
session) and returns a ``str`` (commentary: the model may say it), a ``Thinking`` (silent
context) or ``None`` (nothing now: the app may answer later with ``session.commentary``). A
sync hook runs on a worker thread, so that it may block. A hook that fails is reported as a
``session.warning``, and the model is told, silently, that the work could not be done, so
that it does not wait for an answer that will not come; so is one that does not answer
within the agent's ``tool_timeout``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast

from .._either import Threads, answer_within, call_either
from ..agent import Delegation, Thinking, Utterance
from ..errors import root_cause
from .actions import Action, Emit, StartDelegation
from .events import SessionWarning
from .live_out import fitted

if TYPE_CHECKING:
    from ..agent import Agent
    from .adapter import WireAdapter

HOOK_THREADS = Threads(64, "on_delegation hooks")
"""A sync hook's threads, the process's sessions' (a hook given up at its timeout runs on in
its thread, counted till it returns: hooks that hang never pile up threads without bound, nor
take anyio's, which the app's other code shares; past 64 a hook fails at once)."""

FAILED = "The app could not handle this request."
"""What the model is told (as thinking) when the hook fails."""


async def delegate(
    agent: Agent, action: StartDelegation, session: Any, core: WireAdapter
) -> list[Action]:
    """Run ``agent.on_delegation`` for ``action``: the actions that carry its answer out."""
    hook, delegation_id = agent.on_delegation, action.delegation_id
    if hook is None:
        return []  # the app answers from the raw session.delegation.created, if at all
    transcript = tuple(
        Utterance(cast(Literal["user", "assistant"], role), text)
        for role, text in action.transcript
    )
    delegation = Delegation(delegation_id, transcript, session)
    try:
        # The agent's tool_timeout, as a tool has: past it the model is told (a sync hook's
        # thread is abandoned; an async one is cancelled, and what it says later, a
        # shielded lookup's, counts for nothing).
        outcome = await answer_within(
            call_either(hook, delegation, threads=HOOK_THREADS), agent.tool_timeout
        )
        if outcome.late:
            raise TimeoutError(f"it did not answer in {agent.tool_timeout:g} s")
        answer = outcome.given("it")
        if answer is None:
            return []
        if isinstance(answer, Thinking) and isinstance(answer.text, str):
            text, cut = fitted(answer.text, f"on_delegation's answer to {delegation_id}")
            return [*cut, *core.thinking(text, delegation_id)]
        if isinstance(answer, str):
            text, cut = fitted(answer, f"on_delegation's answer to {delegation_id}")
            return [*cut, *core.commentary(text, delegation_id)]
        shown = f"Thinking({answer.text!r:.40})" if isinstance(answer, Thinking) else answer
        raise TypeError(f"it returned {shown!r:.80}: give a str, a Thinking(str) or None")
    except Exception as exc:  # (the model is told, so that it does not wait for an answer)
        detail = {"delegation_id": delegation_id}
        warning = SessionWarning(f"on_delegation failed: {root_cause(exc)}", detail)
        return [Emit(warning), *core.thinking(FAILED, delegation_id)]

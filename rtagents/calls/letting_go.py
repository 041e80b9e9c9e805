"""Letting go of calls, at a drain or at the shutdown: a call still being set up is given
time to open its session, one that failed before it was answered is refused, and each
step is bounded, so that a process may exit."""

from __future__ import annotations

from typing import Protocol

import anyio

from .control import CallRecord, Reject


class Refusable(Protocol):
    """What refusing a call takes of its kind (``lifecycle.CallKind``)."""

    async def reject(self, decision: Reject) -> None: ...

    async def hang_up(self) -> None: ...


NOT_ANSWERED = Reject(480, "the call failed before it was answered")  # Temporarily Unavailable
LETTING_GO_S = 10.0
"""How long letting go of a call may take, each time: a drain's wait for a call still being
set up to open its session; handing over or hanging up a call whose session the drain closed;
rejecting, handing over or hanging up a call the shutdown cut short; releasing the claim of a
call cut short (each is one request to the registry or to the API)."""


async def refuse(kind: Refusable) -> bool:
    """Reject a call that was not answered here (True); one whose reject fails, as its
    accept may have reached the API unanswered, is hung up instead (False)."""
    try:
        await kind.reject(NOT_ANSWERED)
        return True
    except Exception:
        await kind.hang_up()
        return False


def letting_go() -> anyio.CancelScope:
    """The scope of letting go of a call: the shutdown's cancellation waits for it, for at
    most ``LETTING_GO_S``."""
    return anyio.CancelScope(shield=True, deadline=anyio.current_time() + LETTING_GO_S)


async def drain(record: CallRecord, let_go: anyio.Event) -> None:
    """Close a call's session (once its tool calls are answered); then wait for the call to
    be handed over or hung up. A call still being set up is given ``LETTING_GO_S`` to open
    its session (or to end); past that, the shutdown cuts it short (``CallLifecycle._cut_short``)."""
    with anyio.move_on_after(LETTING_GO_S):
        # The record has no event for its session: a shutdown can afford to look often.
        while record.session is None and not let_go.is_set():  # noqa: ASYNC110
            await anyio.sleep(0.02)
    if record.session is None:
        return
    await record.session.drain()
    with anyio.move_on_after(LETTING_GO_S):
        await let_go.wait()

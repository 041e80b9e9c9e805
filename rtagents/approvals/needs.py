"""A tool's ``needs_approval`` predicate, asked about one call: only an explicit ``True`` or
``False`` is an answer. One that hangs past the policy's timeout, or answers anything else,
is a deny (fail closed); what it raises is the broker's to deny."""

from __future__ import annotations

from typing import Any

import anyio

from .._either import answer_within, call_either
from .request import Decision
from .verdict import refuse


async def needs(
    check: Any, ctx: Any, arguments: Any, within: float, threads: anyio.CapacityLimiter
) -> bool | Decision:
    """``check(ctx, arguments)``: True (ask the policy), False (no approval needed), or the
    deny of a check with no such answer ``within`` seconds. A sync check runs in one
    of ``threads``: one that blocks (a slow lookup) holds up neither this timeout nor the
    event loop's other work."""
    # Detached: one that shields its lookup answers past the deadline, for nothing, and the
    # deny is not held up by it.
    answer = await answer_within(call_either(check, ctx, arguments, limiter=threads), within)
    if answer.late:
        return refuse(f"needs_approval gave no answer within {within:g} s", "timeout")
    needed = answer.given("needs_approval")  # (what it raised is the broker's to deny)
    if needed is True or needed is False:
        return needed
    return refuse(f"needs_approval returned {needed!r:.60}, not True or False", "error")

"""Reading a session to an answer's end, and then to the trip its last check may bring."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest


async def read_to_the_last_check(
    session: Any,
    events: list[Any],
    on_event: Callable[[Any], Awaitable[None]] | None = None,
    within: float = 20,
    trip_within: float = 1,
) -> None:
    """Events into ``events`` until ``response.done`` (``on_event`` sees each first), then
    for at most ``trip_within`` seconds more, until a ``guardrail.tripped``: the item's last
    check runs once it ended, and may trip after its response's end."""
    with anyio.fail_after(within):
        async for event in session:
            events.append(event)
            if on_event is not None:
                await on_event(event)
            if event.type == "response.done":
                break
        else:
            pytest.fail("the session ended before the answer did")
    with anyio.move_on_after(trip_within):
        async for event in session:
            events.append(event)
            if event.type == "guardrail.tripped":
                break
        else:
            pytest.fail("the session ended before the last check was done")

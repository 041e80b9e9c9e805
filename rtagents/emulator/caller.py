"""When the simulated caller of an accepted call speaks first (Realtime's and GPT-Live's).

It speaks once the agent configured the session on the sideband (its first
``session.updated``): an agent's tools are set by then (a local MCP server's may take a while
to list). A call placed with ``caller_waits_s`` has its caller speak that long after the
first sideband attached if nothing configured the session first: a call its accept
configured whole, watched over its sideband (as the openai SDK's users may), is heard too.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

Conn = TypeVar("Conn", bound=Any)


def speak_unless_configured(
    conn: Conn, speak_first: Callable[[Conn], object], waits_s: float | None
) -> None:
    """``speak_first(conn)`` in ``waits_s`` seconds (never, for ``None``), if ``conn`` is
    still open then (it speaks only if nothing did first). The timer holds the connection
    weakly: an ended call's connection is let go at once."""
    if waits_s is None:
        return
    held = weakref.ref(conn)

    def fire() -> None:
        conn = held()
        if conn is not None and not conn.closed.is_set():
            speak_first(conn)

    asyncio.get_running_loop().call_later(waits_s, fire)

"""Whether a local MCP server still answers: pinged when one of its calls is given up, and
reported failed, once until it answers again, when the ping goes unanswered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import anyio

from .errors import is_timeout, is_transport_failure

if TYPE_CHECKING:
    from mcp import Client

log = logging.getLogger("rtagents.mcp")

PING_TIMEOUT_S = 5.0
"""How long a local MCP server has to answer the ping sent when one of its calls is given up
unanswered (at its timeout, or at its session's end). One that does not answer in time has
stopped answering, not just run a slow tool: it is reported failed like one that died."""


class Liveness:
    """One server's test of whether it still answers, and whether it was reported not to.

    A call given up says nothing of the server by itself: a tool may be slow or hang while the
    server answers all else, and a session's end cancels its calls (those of one session among
    several sharing the server) whatever the server does. So a call given up only starts a
    ping, and only a ping left unanswered is reported.
    """

    def __init__(
        self, report: Callable[[BaseException], None], current: Callable[[], Client | None]
    ) -> None:
        self._report = report
        self._current = current  # the server's connection now, if any
        self._reported = False  # told the listeners it stopped answering, and no answer since
        # The ping under way, in a task of the server's own: the call given up (cancelled,
        # maybe with its whole session) never waits for it. At most one at a time.
        self.pinging: asyncio.Task[None] | None = None

    def answered(self) -> None:
        """The server answered (a call's result, an error it sent): if it stops again, that
        is reported again."""
        self._reported = False

    def given_up(self, client: Client) -> None:
        """A call to ``client`` was given up unanswered: ping it, unless a ping is under way
        or ``client`` is no longer the server's connection (closed or replaced since: a ping
        of it tells nothing of the server now)."""
        if self.pinging is None and client is self._current():
            self.pinging = asyncio.get_running_loop().create_task(self._ping(client))

    async def aclose(self) -> None:
        """Cancel the ping under way (the server is closing) and wait for it: nothing is
        reported, nothing is left running."""
        ping, self.pinging = self.pinging, None
        if ping is not None:
            ping.cancel()
            await asyncio.wait({ping}, timeout=1.0)

    async def _ping(self, client: Client) -> None:
        from mcp.shared.exceptions import MCPError

        try:
            with anyio.fail_after(PING_TIMEOUT_S):
                # The session's ping, not ``Client.send_ping``: that one warns that ping
                # leaves the protocol after 2026-07-28. Our client speaks the legacy protocol,
                # which has it; a server without it answers an error, an answer all the same.
                await client.session.send_ping()
        except Exception as exc:
            if isinstance(exc, MCPError) and not (is_timeout(exc) or is_transport_failure(exc)):
                self.answered()
            else:  # no answer in time, the connection broken, or what we cannot tell: failed
                self.failed(
                    TimeoutError(f"no answer to a ping within {PING_TIMEOUT_S:g} s")
                    if is_timeout(exc)
                    else exc
                )
        else:
            self.answered()
        finally:
            if self.pinging is asyncio.current_task():
                self.pinging = None

    def failed(self, exc: BaseException) -> None:
        """The server stopped answering (a ping unanswered, a call that found its connection
        broken): reported, unless it was already and the server has not answered since."""
        if self._reported:
            return
        self._reported = True
        try:
            self._report(exc)
        except Exception:  # a listener's bug: no task of ours ends with it unretrieved
            log.exception("telling the listeners that an MCP server stopped answering")

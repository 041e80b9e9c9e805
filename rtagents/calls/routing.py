"""Asking the app's router which agent takes a call, within bounds: a time limit, and threads
of the routers' own, so that a router stuck on a lookup (a CRM that stops answering) holds
up neither other calls nor the sessions' sync tools."""

from __future__ import annotations

from .._either import Threads, answer_within, call_either
from ..agent import Agent
from .control import IncomingCall, Reject, Route

ROUTING_THREADS = 256
"""At most this many sync routers run at once, each in a thread (a lookup waits on the
network, not the CPU); one given up on counts until its code returns."""


class Routing:
    """The app's ``route(call) -> Agent | Reject``, sync or async, asked within
    ``timeout`` seconds."""

    def __init__(self, route: Route, timeout: float = 10.0) -> None:
        self.route, self.timeout = route, timeout
        self._threads = Threads(ROUTING_THREADS, "routers")

    async def decide(self, call: IncomingCall) -> Agent | Reject:
        """The router's decision for ``call``, checked: anything else is an error, and so is
        none within ``timeout`` (the call is refused), or no thread for it (past
        ``ROUTING_THREADS`` routers still running, stuck: ``NoThread``)."""
        # Detached: a router that shields its lookup decides past the deadline, for nothing.
        answer = await answer_within(
            call_either(self.route, call, threads=self._threads), self.timeout
        )
        if answer.late:
            raise TimeoutError(f"the router did not decide in {self.timeout:g} s")
        decision = answer.given("the router")
        if not isinstance(decision, (Agent, Reject)):
            raise TypeError(f"the router returned {decision!r:.60}, not an Agent or Reject")
        return decision

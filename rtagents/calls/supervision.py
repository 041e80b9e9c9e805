"""Control of calls from outside them (a supervisor's UI, another replica): approve, deny,
hang up, transfer, say. One place decides whether a command runs here or goes to the
process that holds the call (through the registry), and how it runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .control import LIVE, CallRecord
from .registry import CallNotFound, CallRegistry

Adopt = Callable[[str, dict[str, Any]], Awaitable[bool]]


class Supervision:
    """The commands of a ``CallServer`` (its ``approve``, ``deny``, ``hangup``...), and
    the ``CallHost`` its registry serves: commands from other replicas, calls this process
    takes over (``adopt``) or must let go (``lost``)."""

    def __init__(
        self,
        calls: dict[str, CallRecord],
        registry: CallRegistry,
        adopt: Adopt,
        taking_calls: Callable[[], bool],
    ) -> None:
        self._calls = calls
        self.registry = registry
        self.adopt = adopt
        self._taking_calls = taking_calls

    def adopting(self) -> bool:
        """Whether this process takes over calls whose holder is gone: not while it drains
        (a claim it made would hold up the replicas that can take them)."""
        return self._taking_calls()

    async def run(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        """Run ``command`` here if this process holds the call, or where it is held."""
        record = self._calls.get(call_id)
        if record is not None and record.state in LIVE:
            return await self.execute(call_id, command, args)
        try:  # held elsewhere: moved, or over here and live again (a Twilio call streamed again)
            return await self.registry.forward(call_id, command, args)
        except CallNotFound:
            if record is None or record.state == "moved":
                raise
            return await self.execute(call_id, command, args)  # over here: it says how it ended

    async def lost(self, call_id: str) -> None:
        """Another replica holds the call now: this one closes its sideband (the call goes
        on there), so that a call never has two; one still ringing here is never answered,
        rejected or hung up here (the other answers it). See ``CallLifecycle._steps``."""
        record = self._calls.get(call_id)
        if record is None or record.state not in ("ringing", "active"):
            return
        record.state, record.reason = "moved", "another replica holds the call now"
        if record.session is not None:
            await record.session.close()

    async def execute(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        """Run ``command`` on a call of this process (also what other replicas ask for)."""
        record = self._calls.get(call_id)
        if record is None:
            raise CallNotFound(f"no call {call_id!r} in this process")
        if command == "hangup" and (
            record.state == "ringing" or (record.state == "active" and record.handle is None)
        ):
            # Ringing, or answered with its session not yet begun (its listing on the way):
            # ended all the same, as soon as it can be (see CallLifecycle).
            record.hung_up = True
            return None
        if record.state != "active":
            raise CallNotFound(f"call {call_id!r} is {record.state}, not active")
        if record.handle is None:
            raise CallNotFound(f"call {call_id!r} is being answered: try {command} again")
        if command == "hangup":
            await record.handle.hangup()
            return None
        if command == "transfer":
            await record.handle.refer(str(args["target_uri"]))
            return None
        session = record.session
        if session is None:
            raise CallNotFound(f"call {call_id!r} has no session yet")
        if session.closed_reason is not None:  # (its end is on its way to its record)
            raise CallNotFound(f"call {call_id!r} is ending: {session.closed_reason}")
        if command == "approve":
            return bool(await session.approve(str(args["approval_id"])))
        if command == "deny":
            reason = str(args.get("reason") or "denied")
            return bool(await session.deny(str(args["approval_id"]), reason=reason))
        if command == "say":  # (GPT-Live has no typed user input: commentary, which it says)
            text = str(args["text"])
            await (session.commentary(text) if session.api == "live" else session.send_text(text))
            return None
        raise ValueError(f"unknown command {command!r}")

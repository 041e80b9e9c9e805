"""Declarative handoffs: the transfer tools an agent's ``handoffs`` become, and the switch a
call of one makes.

A transfer tool is a function tool like any other (the approval policy, hooks, timeouts and
the one ``response.create`` per batch apply to it): its call hands the session to the
target with one ``session.update`` (the target's instructions and tools; its voice only
where the API takes it), then answers the call with who took over, so that the model's next
turn runs as the new agent over the same conversation. Handoffs that follow each other
without the user speaking are bounded by the leaving agent's ``max_handoffs``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any, Protocol

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from .. import protocol as p
from .._json import ArgumentsError, parse_object
from ..agent import Agent, Handoff
from ..errors import SessionConfigError
from ..tools import BaseTool, ToolArgumentsError, ToolContext
from ..tracing.observer import SessionTracer
from ..tracing.sdk import current, start_span, tracer
from .adapter import WireAdapter
from .dispatch import Dispatcher
from .events import HandoffEvent, SessionWarning
from .offers import Taking
from .page import own_refusal
from .realtime import RealtimeCore
from .tooling import merge

_NOT_NAME = re.compile(r"[^a-zA-Z0-9_-]+")
_PARAMETERS = {"type": "object", "properties": {}, "additionalProperties": False}


class HandoffRefused(Exception):
    """A transfer the session did not make; the model is told why (the call fails)."""


class HandoffPort(Protocol):
    """What a handoff uses of the session's runner."""

    agent: Agent
    core: WireAdapter
    tracer: SessionTracer
    dispatcher: Dispatcher
    page_client: bool  # a browser's page is a client of the session (see ``page``)

    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None: ...

    def use(
        self, agent: Agent, keep_for: str | None = None, how: Taking = "switch", back_to: int = 0
    ) -> None: ...

    async def configure(self, agent: Agent, *, force: bool = False) -> bool: ...

    def will_run(self, agent: Agent, voice: str) -> None: ...


def declared(agent: Agent) -> list[Handoff]:
    """The agent's ``handoffs``, each as a ``Handoff``."""
    return [h if isinstance(h, Handoff) else Handoff(h) for h in agent.handoffs]


def tool_name(target: Agent) -> str:
    """``transfer_to_<name>``, made a valid tool name."""
    slug = _NOT_NAME.sub("_", target.name.strip()).strip("_").lower() or "agent"
    return ("transfer_to_" + slug)[:64]


def description(target: Agent) -> str:
    """What the model is told of a transfer: the target's ``handoff_description``, else the
    first line of its instructions."""
    about = target.handoff_description
    if about is None and target.instructions and target.instructions.strip():
        about = target.instructions.strip().splitlines()[0][:200]
    told = f"Hand the conversation to {target.name}."
    return f"{told} {about}" if about else told


class TransferTool(BaseTool):
    """The tool of one handoff: no arguments; calling it hands the session to ``target``."""

    def __init__(self, declared: Handoff, handoffs: Handoffs) -> None:
        self.target = target = declared.agent()
        self.name = declared.tool_name or tool_name(target)
        self.description = declared.description or description(target)
        self.needs_approval = declared.needs_approval
        self._handoffs = handoffs

    def definition(self) -> p.FunctionToolDefinition:
        return p.FunctionToolDefinition(
            type="function", name=self.name, description=self.description, parameters=_PARAMETERS
        )

    def parse_arguments(self, arguments: str) -> dict[str, Any]:
        # Nothing to read: a model that adds arguments anyway is not refused for it. They are
        # read as every tool's are (nesting too deep is invalid arguments, not a crash).
        try:
            parse_object(arguments if arguments.strip() else "")
        except ArgumentsError as exc:
            raise ToolArgumentsError(f"{exc} (this tool takes none)") from None
        return {}

    async def call(self, arguments: Any, ctx: ToolContext) -> str:
        return await self._handoffs.transfer(self, ctx.call_id)


class Handoffs:
    """One session's handoffs: the transfer tools of the agent it runs, and the switch."""

    def __init__(self, runner: HandoffPort) -> None:
        self._runner = runner
        self._in_a_row = 0  # handoffs since the user last spoke
        self._jobs: set[asyncio.Future[Agent]] = set()  # switches on their way (``_switch``)
        self._runs: Agent | None = None  # the agent the server runs (see ``served``),
        self._runs_since = 0  # and the switch that made it the session's
        self.watching = False
        """Whether the session has had handoffs: from then on ``see`` counts the user's
        turns (a session without them has no hook, see ``observers``)."""

    @property
    def runs(self) -> Agent | None:
        """The agent whose configuration the server took last (``None``: not known here)."""
        return self._runs

    def served(self, agent: Agent, switch: int) -> None:
        """The server took ``agent``'s configuration (a transfer's, the app's, a new
        connection's), made at the session's ``switch`` (``Offers.switches``): its answers
        come in order, so the last taken is what it runs."""
        self._runs, self._runs_since = agent, switch

    def tools(self, agent: Agent) -> list[BaseTool]:
        """The transfer tools of ``agent``'s handoffs (lazy targets resolved now)."""
        made: list[BaseTool] = [TransferTool(h, self) for h in declared(agent)]
        self.watching = self.watching or bool(made)
        return made

    def see(self, event: Any) -> None:
        """The session's hook: the user spoke (an item of theirs; on GPT-Live, which has
        no items, their transcript), so the handoffs in a row start again from none."""
        kind = event.type
        if kind in p.ITEM_ADDED:
            item = event.item
            said = getattr(item, "role", None) == "user"
            if said and not self._runner.core.owns_message(getattr(item, "id", None)):
                self._in_a_row = 0  # (a background result, an item given back: not speech)
        elif kind == "transcript.delta" and event.role == "user":
            self._in_a_row = 0

    async def transfer(self, tool: TransferTool, call_id: str) -> str:
        """Hand the session to ``tool.target``: one ``session.update``, the event, the span;
        the call's output says who took over. ``HandoffRefused`` when it may not."""
        runner = self._runner
        dispatcher = runner.dispatcher
        # The agent whose response made the call: a second transfer in the response of a
        # first is still the leaving agent's (its max_handoffs, its name as the source).
        kept = dispatcher.offers.of(dispatcher.response_of(call_id))[1].agent
        source = kept if isinstance(kept, Agent) else runner.agent
        target = tool.target
        attributes = {
            "rtagents.handoff.from": source.name,
            "rtagents.handoff.to": target.name,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.name": tool.name,
        }
        # A child of the transfer call's span (current in the call's task), in the session's
        # trace; of the session's span itself should nothing be current.
        parent = trace.get_current_span()
        if not parent.get_span_context().is_valid:
            parent = runner.tracer.session
        context = trace.set_span_in_context(parent)
        span = start_span(
            tracer(), "handoff", "the handoff's span", context=context, attributes=attributes
        )
        with current(span, "the end of the handoff's span"):
            try:
                self._check(source, target)
                self._in_a_row += 1  # counted now: a second transfer meanwhile sees it
                try:
                    await self._switch(source, tool, call_id, parent)
                except BaseException:  # (the user may have spoken meanwhile: never below 0)
                    self._in_a_row = max(0, self._in_a_row - 1)
                    raise
            except HandoffRefused as exc:
                span.set_attribute("rtagents.handoff.refused", True)
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                raise
        return (
            f"Transferred: {target.name} has the conversation now and answers from here on. "
            f"Go on as {target.name}."
        )

    def _check(self, source: Agent, target: Agent) -> None:
        if self._in_a_row >= source.max_handoffs:
            raise HandoffRefused(
                f"not transferred to {target.name}: {self._in_a_row} handoffs followed each "
                f"other since the user last spoke (max_handoffs={source.max_handoffs} for "
                f"{source.name}); answer the user yourself"
            )
        if self._runner.page_client and (reason := own_refusal(target)):
            raise HandoffRefused(f"not transferred to {target.name}: {reason}")
        for server in target.sources.servers:
            if not server.connected:
                raise HandoffRefused(
                    f"not transferred to {target.name}: its MCP server {server.name!r} is "
                    "not connected"
                )
        try:  # a clash (MCP tools' too) is found before anything changes, as ``use`` finds it
            merge(target.name, target.sources, self.tools(target), quiet=True)
        except ValueError as exc:
            raise HandoffRefused(f"not transferred to {target.name}: {exc}") from exc

    async def _switch(
        self, source: Agent, tool: TransferTool, call_id: str, parent: trace.Span
    ) -> None:
        runner = self._runner
        # The calls of the transfer's own response stay the leaving agent's (see ``Offers.take``).
        runner.use(tool.target, keep_for=runner.dispatcher.response_of(call_id))
        # The server's answer decides what the session runs, even once the transfer call is
        # given up (at its deadline, by a guardrail's trip): the switch goes on, and is told,
        # in a task of its own.
        switch = runner.dispatcher.offers.switches
        job = asyncio.ensure_future(self._configure(source, tool, call_id, switch, parent))
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)
        job.add_done_callback(_settled)
        await asyncio.shield(job)

    async def _configure(
        self, source: Agent, tool: TransferTool, call_id: str, switch: int, parent: trace.Span
    ) -> Agent:
        """The target's configuration to the server. If it refuses, the session takes back
        the agent the server runs (the last configuration it took: ``source``, unless the
        transfer to that was refused too), unless the session switched again since
        (``switch``: the app's ``update_agent``, or a later transfer, made meanwhile
        stands). Taken back past its source, no call keeps a refused agent's tools. Each
        configuration is built from the session's tools when it goes, and only while no
        other switch came since: those are the target's (as its MCP servers list them).
        Taken (or left to the next connection), the ``handoff`` event tells the app."""
        runner, target = self._runner, tool.target
        if runner.dispatcher.offers.switches != switch:
            return target  # taken over before it went out: the later switch's is sent
        sent, heard = self._voice_kept(target)
        try:
            try:
                taken = await runner.configure(sent)
            except SessionConfigError as exc:
                if exc.code != "cannot_update_voice" or sent.voice is None:
                    raise
                if runner.dispatcher.offers.switches != switch:
                    raise
                # Assistant audio we did not see (a call's own session): keep the voice.
                sent = replace(target, voice=None)
                taken = await runner.configure(sent)
        except SessionConfigError as exc:
            if runner.dispatcher.offers.switches == switch:  # the server kept the old one: so do we
                runs = self._runs or source
                if runs is source:
                    runner.use(runs, how="again")
                else:
                    runner.use(runs, how="back", back_to=self._runs_since)
            raise HandoffRefused(f"not transferred to {target.name}: {exc}") from exc
        self._runs = target  # (``served`` had ``sent``: without its voice, it may differ)
        if not taken and heard is not None:
            # Not sent (the connection is down): the next connection takes the target in the
            # voice the user heard, as this one would have.
            runner.will_run(target, heard)
        with trace.use_span(parent, end_on_exit=False):  # (a handler's spans: the call's)
            runner.deliver(HandoffEvent(source.name, target.name, call_id, tool.name))
        if sent.voice != target.voice:
            runner.deliver(
                SessionWarning(
                    f"handed off to {target.name} in the voice so far: the Realtime API "
                    "refuses a new voice once the assistant has spoken",
                    {"agent": target.name},
                )
            )
        return sent

    def _voice_kept(self, target: Agent) -> tuple[Agent, str | None]:
        """``target``, without its voice when the API would refuse it: on Realtime, once
        assistant audio is in the conversation (GPT-Live's update has no voice at all); and
        the voice the user heard when it was withheld."""
        core = self._runner.core
        if target.voice is None or not isinstance(core, RealtimeCore):
            return target, None
        current = core.config.get("audio", {}).get("output", {}).get("voice")
        if target.voice == current or core.playback.item_id is None:
            return target, None
        return replace(target, voice=None), current if isinstance(current, str) else None


def _settled(job: asyncio.Future[Agent]) -> None:
    """A switch's end is read, also when nobody awaits it any more (its call was given up)."""
    if not job.cancelled():
        job.exception()

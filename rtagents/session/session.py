"""``RealtimeSession``: what the app talks to. It has a runner, which does the work."""

from __future__ import annotations

import difflib
import warnings
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic

import anyio
from typing_extensions import TypeVar

from .. import protocol as p
from ..approvals import ApprovalRequest
from ..audio.player import whole_ms
from ..errors import SessionConfigError
from ..tools import Toolset
from ..usage import UsageRecord
from .asking import Answer
from .events import SessionEvent
from .live_out import whole_note
from .runner import SessionRunner
from .stream import Handler
from .transport import Transport

if TYPE_CHECKING:
    from ..agent import Agent

DepsT = TypeVar("DepsT", default=Any)
H = TypeVar("H", bound=Handler)


def _event_types() -> frozenset[str]:
    """Every type an event of a session may have: the server's, on either API, and ours
    (of the modules imported by now: the calls app's, once it is in use)."""
    from .._event import FrameworkEvent
    from ..protocol.live import codec as live

    ours: set[str] = set()
    classes = [FrameworkEvent]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        field = getattr(cls, "__dataclass_fields__", {}).get("type")
        if field is not None and isinstance(field.default, str):
            ours.add(field.default)
    return frozenset({*p.SERVER_EVENTS, *live.SERVER_EVENTS, *live.RESPONSES_EVENTS, *ours})


class RealtimeSession(Generic[DepsT]):
    """A connected session, on the Realtime API or GPT-Live (``api``). Made by
    ``rtagents.connect``.

    Iterate it for events (``async for event in session``): the server's events, typed,
    and the framework's (``tool.call.started``, ``approval.requested``, ...), as one
    ``SessionEvent`` union that ``event.type`` narrows. Tool calls are
    dispatched by the session itself; the app only watches, or answers approvals.

    One class for both APIs: the agent, its tools, approvals and the framework's events are
    the same on each. A request one API cannot carry out raises ``UnsupportedByAPI``
    (GPT-Live has no ``send_text``, ``commit_audio``, ``create_response``,
    ``cancel_response`` or ``interrupt``: its model drives turns; the Realtime API has no
    ``commentary`` or ``thinking``).
    """

    def __init__(
        self,
        agent: Agent,
        transport: Transport,
        *,
        deps: DepsT = None,  # type: ignore[assignment]
        **options: Any,
    ) -> None:
        self._runner = SessionRunner(self, agent, transport, deps=deps, **options)

    # -- what the session is ---------------------------------------------------------------

    @property
    def id(self) -> str | None:
        """The server's session id (``sess_...``)."""
        return self._runner.core.session_id

    @property
    def api(self) -> str:
        """``"realtime"`` (the Realtime API) or ``"live"`` (GPT-Live)."""
        return self._runner.core.api

    @property
    def agent(self) -> Agent:
        """The agent the session runs (``update_agent`` changes it)."""
        return self._runner.agent

    @property
    def deps(self) -> DepsT:
        """What the app passed as ``connect(..., deps=...)``; tools get it as ``ctx.deps``."""
        deps: DepsT = self._runner.deps
        return deps

    @property
    def tools(self) -> Toolset:
        """The tools this process runs for the model (function tools and local MCP tools)."""
        return self._runner.tools

    @property
    def config(self) -> dict[str, Any]:
        """The session as the server last reported it (``session.updated``)."""
        return self._runner.core.config

    @property
    def input_format(self) -> str:
        """The format ``send_audio`` takes (``audio/pcm``, ``audio/pcmu``, ``audio/pcma``):
        the server's, or the one a new agent's configuration asks for from when it is sent
        (``update_agent``, a handoff), as the server reads audio sent after it so. Read it
        before each chunk you encode where the agent may change."""
        return self._runner.core.input_format

    @property
    def output_format(self) -> str:
        """The format of the audio the server sends (``audio/pcm``, ``audio/pcmu``,
        ``audio/pcma``), as it last reported it: read it per delta at no cost (``config``
        builds a new dict each time)."""
        return self._runner.core.output_format

    @property
    def hosted_tools(self) -> dict[str, list[p.McpListedTool]]:
        """What each hosted MCP server listed, by server label."""
        return self._runner.core.hosted_tools

    @property
    def history(self) -> list[p.ConversationItem]:
        """The conversation so far, as text, in order: user messages (typed, or the
        transcript of what was said), the assistant's answers as heard (cut where the user
        barged in), function calls with their outputs, hosted MCP calls and approvals.
        Audio is not kept. It is the journal a reconnect replays, so it has the same
        bounds (``Reconnect(max_items=, max_tokens=)``): the oldest items go first."""
        items: list[p.ConversationItem] = self._runner.core.journal.items()
        return items

    @property
    def usage(self) -> UsageRecord:
        """What the session used so far (``rtagents.UsageRecord``): tokens by model and
        modality, summed from every response's usage the server reported, the input
        transcription by its model, and on GPT-Live the billable seconds and the backend's
        tokens. ``usage.updated`` events say when it grows."""
        return self._runner.meter.usage

    @property
    def cost(self) -> Decimal | None:
        """What ``usage`` cost at ``connect(..., prices=...)``, in their currency (a
        ``Decimal``); ``None`` without prices, or while part of the usage has no price
        (a model missing from the table: a ``session.warning`` says which, once)."""
        return self._runner.meter.cost

    @property
    def closed_reason(self) -> str | None:
        """Why the session ended, or ``None`` while it is open."""
        return self._runner.link.closed_reason

    @property
    def closed_with_error(self) -> bool:
        """Whether the session ended on an error (as its ``session.closed`` event said);
        ``False`` while it is open."""
        return self._runner.link.dropped

    @property
    def pending_approvals(self) -> list[ApprovalRequest]:
        return self._runner.approvals.pending

    # -- events ------------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[SessionEvent]:
        return self

    async def __anext__(self) -> SessionEvent:
        event: SessionEvent = await self._runner.stream.next()
        return event

    def on(self, kind: str) -> Callable[[H], H]:
        """Register a handler for events of ``kind`` (``"*"`` for all); sync or async. A
        ``kind`` that no event has (a typo, most likely) is registered all the same, with a
        warning that names the nearest type."""
        if not isinstance(kind, str):  # ``@session.on`` with no type: the handler came here
            raise TypeError(
                "session.on() takes an event type, as in @session.on('tool.call.completed'), "
                f"not {kind!r:.60}"
            )
        known = _event_types() if kind != "*" else ()
        if known and kind not in known:
            nearest = difflib.get_close_matches(kind, known, n=1)
            hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
            warnings.warn(f"no event has the type {kind!r}{hint}", UserWarning, stacklevel=2)

        def register(handler: H) -> H:  # (returned as it came: its own type for a checker)
            self._runner.stream.on(kind, handler)
            return handler

        return register

    async def ask(self, text: str) -> list[SessionEvent]:
        """Send a user message and read events until the answer is complete: a response of
        the conversation, begun after the message, that ends with an assistant message (or
        fails, is cancelled, or asks for nothing more), tool calls and approvals followed
        through (a call of it cancelled, by ``interrupt()`` say, ends it: no response follows
        for it); or until the server refuses the request for it, or the session ends.

        Returns the events read (handlers see them too), those buffered before the message
        first. Handy in scripts, tests and CLIs; a voice app usually iterates the session
        instead. It reads the session's buffer: not with ``max_buffered_events=0``.
        """
        _text(text, "ask")
        runner = self._runner
        if not runner.stream.limit:
            raise RuntimeError(
                "ask() reads the session's events, and max_buffered_events=0 keeps none: "
                "buffer some, or send_text() and follow the answer with handlers"
            )
        sent = runner.core.send_text(text)  # (``send_text``'s, with the message's item id)
        offers = runner.dispatcher.offers

        def quiet(name: str, response_id: str | None) -> bool:
            # By the tools offered to that response: after a handoff, the new agent's.
            tool = offers.of(response_id)[0].get(name)
            return tool is not None and not tool.trigger_response

        answer = Answer(sent, quiet, runner.core.orchestrator.active)
        await runner.act(sent)
        await self.create_response()
        events: list[SessionEvent] = []
        async for event in self:
            events.append(event)
            if answer.ends(event):
                break
        return events

    # -- input -------------------------------------------------------------------------------

    async def send_text(self, text: str, *, respond: bool = True) -> None:
        """Add a user message; with ``respond`` (the default), ask the model to answer it."""
        _text(text, "send_text")
        await self._runner.act(self._runner.core.send_text(text))
        if respond:
            await self.create_response()

    async def send_audio(self, pcm: bytes) -> None:
        """Append audio (in the session's input format) to the input buffer."""
        await self._runner.act(self._runner.core.append_audio(pcm))

    async def commit_audio(self) -> None:
        """Commit the input buffer as a user message (when turn detection is off)."""
        await self._runner.act(self._runner.core.commit_audio())

    async def create_response(self, **overrides: Any) -> None:
        """Ask the model for a turn; ``overrides`` are ``response.create`` parameters (one
        that breaks their schema raises ``ProtocolError`` naming it: ``response.tools[0]...``)."""
        params = None
        if overrides:  # (validated as the event it goes in: the error says the param, no value)
            asked = p.parse_client_event({"type": "response.create", "response": overrides})
            params = asked.response
        await self._runner.act(self._runner.core.request_response(params))

    async def cancel_response(self) -> None:
        """Cancel the response in progress."""
        await self._runner.act(self._runner.core.cancel_response())

    async def interrupt(self, played_ms: float | None = None) -> None:
        """Barge in: cancel the response, truncate the assistant audio to ``played_ms`` (what
        the user heard, in whole milliseconds: a fraction is dropped), and cancel the
        ``cancel_on_interrupt`` tools. Emits ``audio.interrupted`` for the app's player to
        stop. ``ValueError`` for a ``played_ms`` that is no time, before anything is done."""
        await self._runner.act(self._runner.core.interrupt(whole_ms(played_ms)))

    async def commentary(self, text: str, *, delegation_id: str | None = None) -> None:
        """GPT-Live: context the model may say to the user (``session.commentary.append``),
        for a client delegation (``delegation_id``) or the session in general.

        Raises:
            ValueError: ``text`` is past the 500 tokens one append holds (see ``fit_note``).
        """
        await self._runner.act(self._runner.core.commentary(whole_note(text), delegation_id))

    async def thinking(self, text: str, *, delegation_id: str | None = None) -> None:
        """GPT-Live: silent context for the model (``session.thinking.append``), for a
        client delegation (``delegation_id``) or the session in general.

        Raises:
            ValueError: ``text`` is past the 500 tokens one append holds (see ``fit_note``).
        """
        await self._runner.act(self._runner.core.thinking(whole_note(text), delegation_id))

    # -- approvals ---------------------------------------------------------------------------

    async def approve(self, request_id: str, *, remember: str = "once") -> bool:
        """Approve a request the policy left to an outside answer (``approval.awaiting``:
        from a UI or a voice confirmation). It never overrides the policy: while the handler
        still decides, this waits for it, and it is True only if this yes decided.
        ``remember``: ``"once"``, or ``"session"`` for identical requests from here on."""
        if remember not in ("once", "session"):  # (a typo must not pass for "once")
            raise ValueError(f"remember is 'once' or 'session', not {remember!r}: not approved")
        return await self._runner.approvals.resolve(request_id, True, remember=remember)

    async def deny(
        self, request_id: str, reason: str | None = None, *, remember: str = "once"
    ) -> bool:
        """Decline a pending request at once; ``reason`` is told to the model. True if this
        answer decided it."""
        return await self._runner.approvals.resolve(request_id, False, reason, remember=remember)

    # -- the agent, and the end ----------------------------------------------------------------

    async def update_agent(self, agent: Agent) -> None:
        """Hand the session to another agent: new instructions and tools via ``session.update``.

        Everything of the agent's applies to the calls from here: its tools, its approval
        policy (none: the default, which denies what needs approval), ``tool_timeout``,
        ``format_failure`` and ``max_tool_output_bytes``; passing the same agent changed in
        place applies its changes too. Calls already running finish with the tools they
        started with. Local MCP servers of
        the new agent must be connected already (``async with server:`` around both). If the
        server refuses the new configuration (``SessionConfigError``), the session stays
        with the agent it had."""
        from ..agent import Agent  # (at run time here: the agent module imports sessions')

        if not isinstance(agent, Agent):
            raise TypeError(f"update_agent takes an Agent, not {agent!r:.80}")
        for server in agent.sources.servers:
            if not server.connected:
                raise RuntimeError(
                    f"MCP server {server.name!r} of agent {agent.name!r} is not connected"
                )
        runner = self._runner
        before = runner.agent
        runner.use(agent, how="app")  # the app's own switch: every call is the new agent's
        try:
            await runner.configure(agent)
        except SessionConfigError:
            if runner.agent is agent:  # the server runs what it took last: so does the session
                runner.use(runner.handoffs.runs or before, how="app")
            raise
        runner.approvals.withdraw()  # (taken: no request waits under what came before)

    async def close(self) -> None:
        """End the session: pending approvals are denied, running calls cancelled."""
        await self._runner.close()

    async def drain(self, grace: float = 10.0) -> None:
        """End the session gracefully: the tool calls in flight, background work, hosted
        approval requests being decided and delegation hooks running finish (for at most
        ``grace`` seconds) and their outputs and answers are sent; then it closes (what still
        runs is cancelled, with its record; a request still undecided is denied). For a
        shutdown."""
        runner, link = self._runner, self._runner.link
        with anyio.move_on_after(grace):
            # Calls end in their own tasks (each counts until its output was sent); a
            # shutdown can afford to look every 20 ms. While the connection is down, the
            # outputs of calls finished meanwhile wait for the next one (its replay sends
            # them): the drain waits for it too.
            dispatcher = runner.dispatcher  # background work, other answers owed are waited for too
            while (  # noqa: ASYNC110
                dispatcher.running
                or dispatcher.background.running
                or dispatcher.owed
                or not link.up
            ) and link.closed_reason is None:
                await anyio.sleep(0.02)
        await self.close()

    def __repr__(self) -> str:
        reason = self._runner.link.closed_reason
        state = f"closed: {reason}" if reason else "open"
        api = " api=live" if self.api == "live" else ""
        return f"<RealtimeSession{api} agent={self.agent.name!r} id={self.id} {state}>"


def open_session(
    agent: Agent, transport: Transport, *, deps: DepsT, **options: Any
) -> tuple[RealtimeSession[DepsT], SessionRunner]:
    """A session and the runner under it, for ``connect`` to drive: start it in its task
    group, and let its tools go at the end."""
    session = RealtimeSession(agent, transport, deps=deps, **options)
    return session, session._runner


def calls_in_flight(session: RealtimeSession[Any]) -> list[tuple[str, str]]:
    """``(call_id, tool name)`` of each tool call still running (and of each other answer
    owed: a hosted approval request's, with its tool, a delegation's, ``on_delegation``),
    for a harness to say what a session that timed out was waiting for."""
    dispatcher = session._runner.dispatcher
    return [(call_id, call.name) for call_id, call in dispatcher.running] + dispatcher.owed


def _text(text: object, method: str) -> None:
    """A user message is a ``str``: anything else is said here, not as a validation error
    from inside (or, for ``None``, a message with no text)."""
    if not isinstance(text, str):
        raise TypeError(f"{method} takes the user's message as a str, not {type(text).__name__}")

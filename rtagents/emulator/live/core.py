"""The emulator's GPT-Live server, sans I/O: one Live session's primary WebSocket as a state
machine, beside the Realtime one (``core.ServerCore``) and built of the same parts: the input
audio buffer and its server VAD, the model and its outputs, the jobs, the outbox and the
order actions leave in (``pump.Pump``), hosted MCP, the synthetic voice.

Live has no conversation items and no response lifecycle of its own: the model takes a turn
when the user stops speaking, says what it says (transcript and audio on the session's
timeline), and delegates work: to the client (``session.delegation.created``, answered with
commentary or thinking) or to a Responses backend the server runs (``backend.BackendRun``,
whose stream goes out in ``response.event``s) or to Decisions (the session's questions,
answered in a ``decision.event`` by the rule in ``decisions``, as transcript triggers are).
Client events are handled in ``handlers``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ...errors import root_cause
from ...protocol import WireModel
from ...protocol import live as lp
from ..actions import AskModel, Disconnect, Send, ServerAction
from ..conversation import Conversation, new_id
from ..errors import ClientEventError, check_depth, read_frame
from ..faults import DropConnection, ExpireSession, Fault
from ..hosted_mcp import HostedMCP
from ..input_audio import InputAudio
from ..jobs import Jobs
from ..models import CallFunction, CallMCP, ModelContext, Output, Say
from ..outbox import Outbox, Steps, Until
from ..pump import Pump
from ..settings import ServerSettings
from ..vad import VadEvent
from . import session as config
from .backend import BackendRun, ResponsesBridge, counted_as
from .decisions import Decisions, last_user_text
from .handlers import HANDLERS, checked
from .speech import Voice, spread

log = logging.getLogger("rtagents.emulator")
Announce = Callable[[int, int], None]
_INPUT, _OUTPUT = "session.input_transcript.delta", "session.output_transcript.delta"
_TURNS = {"audio": {"input": {"turn_detection": {"type": "server_vad"}}}}
"""How the emulator hears a Live turn end: Realtime's default server VAD (200 ms of quiet)."""


class LiveCore:
    """One client connection to the emulator's Live endpoint (see the module's docstring)."""

    def __init__(
        self,
        settings: ServerSettings | None = None,
        *,
        now_ms: float = 0.0,
        created_at_s: float = 0.0,
    ) -> None:
        self.settings = settings or ServerSettings()
        self.now_ms = now_ms
        self.created_at_s = created_at_s
        self.session: dict[str, Any] = {}
        """The session as resolved by ``session.start`` (empty before)."""
        self.conversation = Conversation()
        """What the models see: the turns heard and said, and the backend's items."""
        self.out = Outbox()
        self.audio = InputAudio(self.out, self.conversation)
        self.audio.configure(_TURNS)
        self.bridge = ResponsesBridge()
        self.hosted = HostedMCP(self.bridge, self.conversation)
        self.voice = Voice(self.out, self.settings)
        self.voice.on_delta = lambda delta, text: self._fire(_OUTPUT, delta, text)
        self.decider = Decisions()  # its Decision items, and the decision.create ids used
        self.muted = False
        self.appended: list[str] = []  # the session.instructions.append ones, in order
        self.notes: dict[tuple[str, str], None] = {}  # the notes taken (see handlers)
        self.delegations: dict[str, str] = {}
        """Every delegation of the session: its id, and who handles it."""
        self.backend: BackendRun | None = None
        """The backend response streaming now (one at a time)."""
        self.waiting: list[BackendRun] = []
        """The delegated responses whose calls or approvals wait for the client."""
        self.ended = False
        """The session ended (closed, hung up, expired): a dropped primary connection's
        session is otherwise kept a while for the client to attach to again."""
        self._turn_from_ms = 0
        self._last_event_id: str | None = None
        self._jobs: Jobs[BackendRun] = Jobs(self._backend_done)
        self._pump = Pump(
            self.out, self._jobs, started_ms=now_ms, expire=self._expired, kinds=counted_as
        )
        self._cap = ExpireSession(at_s=self.settings.max_session_s)  # the session's time cap
        for fault in (*self.settings.faults, self._cap):
            self.add_fault(fault)

    # -- inputs ----------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._pump.closed

    @property
    def keeps_work(self) -> bool:
        """Whether the work under way outlives the connection (``reattach``)."""
        return bool(self.session) and not self.ended and not self._pump.loses_work

    def start(self) -> None:
        """The connection opened: a Live server says nothing until ``session.start``."""

    def accepted(self, session: dict[str, Any], session_id: str) -> None:
        """This connection is a sideband of a SIP call: its session (``session_id``, the
        call's) is the one the call's accept started (``session``, as the accept gave it),
        and no ``session.start`` comes (one is refused); ``session.update`` configures it.
        Its audio is reflected: each chunk says when it is (``voice.timed``)."""
        cap = self.settings.max_session_s
        self.session = config.start(session, created_at_s=self.created_at_s, max_session_s=cap)
        self.session["id"], self.voice.timed = session_id, True
        self.started()

    def reattach(self, now_s: float) -> None:
        """A new primary connection attaches to this session, whose connection dropped
        without ``session.close`` (``now_s``: the wall clock). The session's work goes on
        on it where it was: its timeline, usage and time cap, what was said, the model's
        turn, a backend response still streaming, the delegations waiting for outputs, the
        requests the dropped connection left unanswered, the events not yet sent. No
        ``session.start`` comes (one is refused)."""
        self._last_event_id = None
        self._pump.reopen(self.now_ms)
        for fault in self.settings.faults:
            self.add_fault(fault)
        left_s = float(self.session.get("expires_at") or 0) - now_s
        self.add_fault(self._cap)
        self._pump.retime(self._cap, max(left_s, 0.0))

    def caller_said(self, text: str) -> None:
        """A simulated phone caller said ``text``: a user turn, heard and transcribed."""
        at = self.timeline_ms()
        self._user_turn(text, at, at)

    def hang_up(self, reason: str) -> None:
        """The call ended (``close_requested``: hung up or transferred by the app;
        ``remote_hangup``: by the caller): after what is queued, the session's last event
        and a normal close."""
        self.ended = True
        if self.session:
            session, usage = config.public(self.session), self.usage()
            self.out.emit(lp.SessionClosed, reason=reason, session=session, usage=usage)
        self.out.disconnect(Disconnect(1000, "call ended"))

    def add_fault(self, fault: Fault) -> None:
        self._pump.add_fault(fault)

    def advance(self, now_ms: float) -> None:
        self.now_ms = max(self.now_ms, now_ms)
        self._pump.advance(self.now_ms)

    def receive(self, frame: str | bytes) -> dict[str, Any] | None:
        """Handle one client frame; returns it decoded (``None`` if it was not JSON)."""
        if self._pump.ending:
            return None
        self._last_event_id = None
        raw: dict[str, Any] | None = None
        try:
            raw = read_frame(frame)
            if isinstance(raw.get("event_id"), str):
                self._last_event_id = raw["event_id"]
            check_depth(raw)
            kind = str(raw.get("type", ""))
            fault = self._pump.faults.received(kind)
            if isinstance(fault, (DropConnection, ExpireSession)):
                self._pump.end(fault)
                return raw
            handler = HANDLERS.get(kind)
            if handler is None:
                raise ClientEventError(
                    f"Invalid value: '{raw.get('type')}'. It is not a client event type.",
                    code="invalid_value",
                    param="type",
                )
            if not self.session and kind != "session.start":
                raise ClientEventError(
                    f"Send session.start first, and wait for session.started, before '{kind}'.",
                    code="session_not_started",
                )
            handler(self, checked(raw))
        except ClientEventError as err:
            self.reject(err)
        except Exception as exc:  # a bug here must not end the client's session
            log.exception("emulator failed on a Live client event")
            self.reject(
                ClientEventError(
                    f"The server had an error: {exc}", code="server_error", type="server_error"
                )
            )
        return raw

    def resolve(self, ticket: int, answer: Any) -> None:
        """The answer to a request (an exception when it failed); late answers are ignored."""
        self._jobs.resolve(ticket, answer)

    def drop(self, code: int = 1011, reason: str = "emulator dropped the connection") -> None:
        self._pump.drop(code, reason)

    def close(self) -> None:
        """The connection closed: its work stops, unless a connection may attach to the
        session (``reattach``), for which it waits (unless the drop ``loses_work``)."""
        self._pump.closed = True
        self.audio.release()
        if not self.keeps_work:
            self._jobs.clear()
            self.out.clear()
            cut, self.backend = self.backend, None
            self.bridge.run = None
            if cut is not None and cut.call_ids:  # its calls wait for outputs all the same
                self.waiting.append(cut)

    # -- outputs ---------------------------------------------------------------------------

    def next_action(self) -> ServerAction | None:
        return self._pump.next_action(self.now_ms)

    def wake_at(self) -> float | None:
        times = self._pump.wake_times()
        return min(times) if times else None

    def ack(self, kind: type[WireModel], **fields: Any) -> None:
        """Emit the event that answers the client event being handled (with its id)."""
        if self._last_event_id is not None:
            fields["client_event_id"] = self._last_event_id
        self.out.emit(kind, **fields)

    def reject(self, err: ClientEventError) -> None:
        """Answer the client event being handled with an ``error``."""
        log.debug("Live client event rejected: %s", err.message)
        detail = {"type": err.type, "code": err.code, "message": err.message, "param": err.param}
        if self._last_event_id is not None:
            detail["client_event_id"] = self._last_event_id
        self.ack(lp.Error, error=detail)

    def _expired(self) -> list[ServerAction]:
        """The session hit its time cap: its last event, and the close."""
        self.ended = True
        if not self.session:
            return [Disconnect(1000, "session expired")]
        event = lp.SessionClosed(
            event_id=new_id("event"),
            reason="expired",
            session=config.public(self.session),
            usage=self.usage(),
        )
        return [Send(event), Disconnect(1000, "session expired")]

    # -- what handlers share ---------------------------------------------------------------

    def timeline_ms(self) -> int:
        """Now, on the session's timeline: after the input so far, and the model's speech."""
        return max(self.audio.audio_ms, self.voice.until_ms)

    def usage(self) -> dict[str, Any]:
        return {"seconds": float(self.timeline_ms() // 1000)}

    def started(self) -> None:
        """``session.start`` was accepted: the voice's format, the hosted MCP servers."""
        self.voice.format = self.session["audio"]["format"]["type"]
        for message in self.session["input"]:
            self.conversation.add(dict(message))
        self.configured()

    def configured(self) -> None:
        """The delegation may have changed: list the hosted MCP servers new to it."""
        backend = config.backend(self.session) or {}
        for steps in self.hosted.configure(backend.get("tools") or []):
            self._jobs.add(steps)

    def heard(self, vad: VadEvent) -> None:
        """Server VAD heard speech start (the model stops talking) or a turn end."""
        if vad.kind == "started":
            self._turn_from_ms = vad.audio_ms
            self.voice.interrupt()
            return
        data, ms = self.audio.take(self.voice.format)
        transcribe = self.settings.transcribe
        heard = transcribe(data, ms) if transcribe else None
        text = heard if heard is not None else f"[{ms} ms of audio]"
        self._user_turn(text, self._turn_from_ms, vad.audio_ms)

    def _user_turn(self, text: str, from_ms: int, to_ms: int) -> None:
        """The user said ``text`` (over ``from_ms``..``to_ms``): its transcript, and the
        model's turn."""
        so_far = ""
        for piece, start, end in spread(text, from_ms, to_ms):
            delta = self.out.emit(lp.InputTranscriptDelta, delta=piece, start_ms=start, end_ms=end)
            so_far += piece
            self._fire(_INPUT, delta, so_far)
        content = [{"type": "input_text", "text": text}]
        self.conversation.add({"type": "message", "role": "user", "content": content})
        self._jobs.add(self._model_turn())

    def say(self, text: str, announce: Announce | None = None) -> None:
        """The Live model says ``text`` (after what it is saying now); ``announce`` hears
        where on the timeline it starts and ends, before the first word."""
        self._jobs.add(self._utterance(text, announce))

    def start_backend(self, delegation_id: str | None, given: list[Output] | None) -> BackendRun:
        """A response of the Responses backend, for a delegation (or the client's own)."""
        backend = config.backend(self.session) or {}
        run = BackendRun(
            out=self.out,
            conversation=self.conversation,
            hosted=self.hosted,
            config=backend,
            instructions="\n\n".join(filter(None, [backend.get("instructions"), *self.appended])),
            delegation_id=delegation_id,
            created_at=int(self.created_at_s + self.now_ms / 1000),
            given=given,
        )
        self.backend = self.bridge.run = run
        self._jobs.add(run.steps(), run)
        return run

    def decide(
        self, questions: list[dict[str, Any]], transcript: str | None = None, **tags: Any
    ) -> None:
        """A ``decision.event``: ``questions`` answered on ``transcript`` (by default what
        the user said last); ``tags``: its delegation, trigger or source event."""
        said = transcript if transcript is not None else last_user_text(self.conversation.items)
        model = (config.decisions(self.session) or {}).get("model") or self.session["model"]
        self.out.emit(lp.DecisionEvent, **self.decider.event(model, questions, said, **tags))

    def _fire(self, kind: str, delta: WireModel, transcript: str) -> None:
        """A transcript delta went out: the trigger on its kind asks its questions."""
        for trigger in self.session.get("triggers") or []:
            if trigger["event_type"] == kind:
                questions = trigger["decisions"]["questions"]
                self.decide(questions, transcript, trigger_id=new_id("trig"), source=delta)

    # -- the model's turns -----------------------------------------------------------------

    def _model_turn(self) -> Steps[None]:
        """The Live model's turn: what it says, and the work it delegates."""
        try:
            turn: list[Output] = list((yield AskModel(0, self._context())))
        except Exception as exc:
            log.warning("emulator model failed: %s", root_cause(exc))
            self.out.emit(lp.Error, error=_server_error(exc))
            return
        calls: list[Output] = [o for o in turn if isinstance(o, (CallFunction, CallMCP))]
        for output in turn:
            if isinstance(output, Say):
                yield from self._utterance(output.text)
            elif calls:  # the turn's calls go in one delegation, where the first one was
                yield from self._delegate(calls)
                calls = []

    def _context(self) -> ModelContext:
        backend = config.backend(self.session) or {}
        return ModelContext(
            items=self.conversation.context(),
            instructions="\n\n".join([self.session["instructions"], *self.appended]),
            tools=self.hosted.model_tools(backend.get("tools") or [], {}),
        )

    def _delegate(self, calls: list[Output]) -> Steps[None]:
        """Announce the delegation; for a Responses one, its response plays the calls."""
        target = self.session["delegation"]["type"]
        delegation: dict[str, Any] = {"id": new_id("del"), "target": target}
        if target == "responses" and self.backend is not None:  # one at a time: this waits
            yield Until(lambda: self.backend is None)
        offset = self.timeline_ms()
        if target == "responses":
            delegation["response_id"] = self.start_backend(delegation["id"], calls).id
        self.delegations[delegation["id"]] = target
        # Before the backend's stream: its job emits nothing until it next steps.
        self.out.emit(lp.DelegationCreated, delegation=delegation, offset_ms=offset)
        settings = config.decisions(self.session)
        if settings is not None:  # the Decision API answers it
            self.decide(settings["questions"], delegation_id=delegation["id"])

    def _utterance(
        self, text: str, announce: Announce | None = None, *, record: bool = True
    ) -> Steps[None]:
        if record:
            said = [{"type": "output_text", "text": text}]
            self.conversation.add({"type": "message", "role": "assistant", "content": said})
        yield from self.voice.say(text, self.timeline_ms, announce)
        self.out.emit(lp.SessionUsageUpdated, usage=self.usage())

    def _backend_done(self, run: BackendRun) -> None:
        if self.backend is run:
            self.backend = self.bridge.run = None
        if run.call_ids or run.asks_approval:
            self.waiting.append(run)  # the client answers, then asks for the next response
        elif run.text:
            # The Live model says what the backend found (already in the history as its
            # message: it is not added twice).
            self._jobs.add(self._utterance(run.text, record=False))


def _server_error(exc: BaseException) -> dict[str, Any]:
    return {"type": "server_error", "code": "model_error", "message": root_cause(exc)}

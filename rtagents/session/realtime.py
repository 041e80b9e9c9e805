"""The Realtime wire adapter, sans I/O: frames in; actions out.

Everything the Realtime protocol decides happens here, with no awaiting, sleeping or
sockets: decoding (leniently, with a warning for what could not be read), redacting
credentials a server echoes back, hosted MCP tool listings, request/reply correlation,
event ids, the assistant audio a barge-in cuts, and every client event the app sends. It
turns server events into the inputs of the protocol-neutral ``Orchestrator`` (through one
routing table, ``_ROUTES``) and the orchestrator's decisions into client events. The runner
only moves frames and carries out actions, like h11's ``Connection``.

GPT-Live's adapter (``live.py``) has the same shape, over the same orchestrator; both
satisfy the runner's port, ``adapter.WireAdapter``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from .. import protocol as p
from .actions import Action, Decision, Emit, Send, TraitsOf, encoding
from .adapter import OrchestratedAdapter, failed_on
from .events import SessionWarning, TranscriptDelta
from .hosted_listings import HostedListings
from .journal import Journal
from .orchestrator import Orchestrator
from .playback import Playback
from .realtime_out import ASIDE, OUT, journal_sent
from .realtime_requests import RealtimeRequests
from .restate import Restater
from .states import LinkInput
from .wire import Requests, decode, error_ref, redact, reread

if TYPE_CHECKING:
    pass


_DONE = ("completed", None)
"""A call item's statuses that make it a call to run: ``status`` is optional (the spec's and
the SDK's), and an item that does not say is taken at its word, done (its arguments are
read as they are: cut short, they are answered as invalid)."""


_CUT_ASIDE = "the drop cut off out-of-band response(s) %s, which are not asked for again"

Decided = Sequence[Decision | Action] | None
"""What a route leads to: the orchestrator's decisions (and the adapter's own actions)."""


class RealtimeCore(RealtimeRequests, OrchestratedAdapter):
    """One Realtime session's protocol state, over the orchestration of its calls and turns.

    Args:
        traits: What the orchestrator needs to know of a tool, by name (``None``: unknown).
        sideband: The session of a call, created by its accept (or client secret) with the
            ``tracing`` it keeps: a sideband never sends ``tracing`` (see ``update_session``).
    """

    api = "realtime"
    encode = staticmethod(encoding(p.encode_client_event))
    reread = staticmethod(reread)
    """A delivered frame's event again (see ``stream.EventStream``): one function, shared."""

    # Scalars are class attributes until set (performance.md, "Density").
    expires_at: float | None = None
    """When the server says the session will hit its cap (Unix seconds), if it says."""
    session_id: str | None = None
    """The server's session id (``sess_...``), from ``session.created``."""
    sideband = False
    latest_user_item: str | None = None
    """The user's latest message (the guardrails' turn, for guards that begin mid-session)."""
    _config: str | None = None  # the last ``session.updated``'s (see config)
    _asides_held: tuple[Action, ...] = ()  # the app's out-of-band asks while offline
    _asides_asked: tuple[p.ResponseCreate, ...] = ()  # ... those sent, none begun yet
    _tracing_sent = False

    def __init__(
        self,
        traits: TraitsOf,
        journal: Journal | None = None,
        *,
        sideband: bool = False,
    ) -> None:
        self.journal = journal if journal is not None else Journal()
        """What the conversation holds, for a new connection and ``session.history``."""
        self.orchestrator = Orchestrator(traits, "evt_rt_", self.journal)
        self.playback = Playback()
        self._restater = Restater(sideband=sideband)
        self.hosted_tools = HostedListings()
        """What each hosted MCP server listed, by server label, and which server it is."""
        self._requests = Requests()
        self._item_names: dict[str, str] = {}  # function call item id -> tool name
        if sideband:
            self._tracing_sent = self.sideband = True

    def next_event_id(self) -> str:
        """The next client event id (the orchestrator counts them: an int, no object)."""
        return self.orchestrator.next_ref()

    @property
    def config(self) -> dict[str, Any]:
        """The session as the server last reported it (``session.updated``). Kept as JSON
        text, which the collector never scans, and read into a new dict on each access."""
        return cast(dict[str, Any], json.loads(self._config)) if self._config else {}

    @property
    def responding(self) -> bool:
        """An out-of-band response under way counts too (the app's, a progress update)."""
        return self.orchestrator.waiting or self.playback.out_of_band

    @property
    def output_format(self) -> str:
        """The output audio format the server last reported (``audio/pcm`` until then)."""
        return self.playback.format

    # -- frames in -----------------------------------------------------------------------

    def receive_frame(self, frame: str | bytes) -> list[Action]:
        """One frame from the server. Nothing a frame holds raises: what cannot be read
        becomes a ``session.warning``, and a frame that breaks its schema in places is still
        delivered, without those places, so that turn-taking never stalls on it."""
        event, warnings = decode(frame)
        if event is None:
            return list(warnings)
        if not warnings:
            return self.receive(event, len(frame), frame)
        # A frame read only in part is not kept: its event holds less than it does.
        return [*warnings, *self.receive(event, len(frame))]

    def receive(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> list[Action]:
        """One typed server event: the replies it resolves, the event itself for the app,
        then what it leads to."""
        try:
            before = self._requests.resolve(event) if self._requests else None
            route = _ROUTES.get(event.type)
            decided = route(self, event) if route is not None else None
            after = self._wire(decided) if decided else None
        except Exception as exc:  # a bug of ours must cost one event, not the session
            return failed_on(event, size, exc)
        if before or after:
            return [*(before or ()), Emit(event, size, frame), *(after or ())]
        return [Emit(event, size, frame)]

    # -- the routes: one handler per server event type that leads to something ----------------

    def _on_session_created(self, event: p.SessionCreated) -> None:
        self.hosted_tools.reported(getattr(event.session, "tools", None) or ())  # (a call's)
        redact(event)
        session = event.session
        extra = session.model_extra or {}
        self.session_id = getattr(session, "id", None) or extra.get("id")
        expires = getattr(session, "expires_at", None) or extra.get("expires_at")
        self.expires_at = expires if isinstance(expires, (int, float)) else None
        self.playback.configured(session)
        self._restater.created(session.model_dump_json(exclude_unset=True))

    def _on_session_updated(self, event: p.SessionUpdated) -> None:
        self.hosted_tools.configured()  # (what was sent is taken: its servers list now)
        redact(event)
        self._config = event.session.model_dump_json(exclude_unset=True)
        self.playback.configured(event.session)

    def _on_error(self, event: p.Error) -> Decided:
        err = event.error
        if err.code == "session_expired":
            self.orchestrator.link_event(LinkInput.EXPIRED)
        ref = error_ref(event)
        self._asides_asked = tuple(a for a in self._asides_asked if a.event_id != ref)
        return self.orchestrator.refused(ref, message=err.message, code=err.code)

    def _on_item_added(self, event: p.ConversationItemAdded) -> Decided:
        self.journal.added(getattr(event.item, "id", None))
        return self._on_item_created(event)

    def _on_item_created(
        self, event: p.ConversationItemAdded | p.ConversationItemCreated
    ) -> Decided:
        item = event.item
        if isinstance(item, p.FunctionCallOutput):
            return self.orchestrator.output_confirmed(item.call_id)
        if isinstance(item, p.McpApprovalResponse):
            return self.orchestrator.answer_confirmed(item.approval_request_id)
        if isinstance(item, p.UserMessage) and item.id and not self.owns_message(item.id):
            self.latest_user_item = item.id
        return self.orchestrator.item_confirmed(getattr(item, "id", None))  # a background result

    def _on_item_done(self, event: p.ConversationItemDone) -> None:
        if isinstance(event.item, p.McpListTools):
            self.hosted_tools[event.item.server_label] = event.item.tools
        self.journal.heard(event.item)

    def _on_item_deleted(self, event: p.ConversationItemDeleted) -> None:
        self.journal.deleted(event.item_id)

    def _on_item_truncated(self, event: p.ConversationItemTruncated) -> None:
        heard = self.playback.heard_fraction(event.item_id, event.audio_end_ms)
        self.journal.truncated(event.item_id, heard)

    def _on_transcript(self, event: p.InputAudioTranscriptionCompleted) -> None:
        self.journal.transcribed(event.item_id, event.transcript)

    def _on_text_delta(
        self, event: p.ResponseOutputTextDelta | p.ResponseOutputAudioTranscriptDelta
    ) -> Decided:
        if not self.playback.is_outside(event.response_id):  # (out of band: no conversation's)
            self.journal.streaming(event.item_id, event.delta)
        return [Emit(TranscriptDelta("assistant", event.delta, event.item_id))]

    def _on_user_transcript_delta(self, event: Any) -> Decided:
        return [Emit(TranscriptDelta("user", event.delta or "", event.item_id))]

    def _on_audio_delta(self, event: p.ResponseOutputAudioDelta) -> None:
        self.playback.delta(event)  # the hot path of a voice session: nothing else

    def _on_response_created(self, event: p.ResponseCreated) -> Decided:
        response = event.response
        oob = response.out_of_band  # (conversation "none")
        aside = oob and ASIDE in (response.metadata or {})  # ours: a progress update, a filler
        if oob and response.id:
            self.playback.outside(response.id)  # its audio is no conversation item to cut
        if oob and not aside and self._asides_asked:  # (the server begins them in order)
            self._asides_asked = self._asides_asked[1:]
        return self.orchestrator.response_started(response.id, in_conversation=not oob, aside=aside)

    def _on_response_done(self, event: p.ResponseDone) -> Decided:
        response, orchestrator = event.response, self.orchestrator
        self.playback.outside_done(response.id)
        # One whose id could not be read (see failures.md) ends the response active in the
        # conversation, unless out of band: else that one never ends, and nothing is asked.
        oob = response.out_of_band
        rid = response.id or (None if oob else orchestrator.active) or None
        decisions: list[Decision] = []
        # Calls and approval requests whose done events we never saw are still answered:
        # response.done lists them all (the server waits for each answer).
        for item in response.output or []:
            if isinstance(item, p.FunctionCall) and item.status in _DONE and item.call_id:
                if not oob:  # (an out-of-band response's calls are the app's)
                    decisions += orchestrator.call_arrived(
                        item.call_id, item.name, item.arguments, rid, item.id
                    )
            elif isinstance(item, p.McpApprovalRequest) and not oob:
                decisions += orchestrator.approval_arrived(item, rid)
        return [*decisions, *orchestrator.response_ended(rid, in_conversation=not oob)]

    def _on_arguments_done(self, event: p.ResponseFunctionCallArgumentsDone) -> Decided:
        if self.playback.is_outside(event.response_id):  # out of band: the app's (tools.md)
            return None  # (its output has no conversation to go to, nor a turn to ask for)
        name = event.name or self._item_names.get(event.item_id, "")
        return self.orchestrator.call_arrived(
            event.call_id, name, event.arguments, event.response_id, event.item_id
        )

    def _on_output_item_added(self, event: p.ResponseOutputItemAdded) -> None:
        item = event.item
        placed = item.id if isinstance(item, (p.FunctionCall, p.AssistantMessage)) else None
        if placed and not self.playback.is_outside(event.response_id):
            self.journal.placed(placed)  # (in the conversation's order, as the server has it)
        if isinstance(item, p.FunctionCall) and item.id:
            self._item_names[item.id] = item.name  # for arguments.done without a name
        elif isinstance(item, p.McpCall) and item.approval_request_id:
            # The server runs it from now: its approval is spent, and a drop before its end
            # must not give a new session the request and our yes again (it would run twice).
            self.journal.heard(item)

    def _on_output_item_done(self, event: p.ResponseOutputItemDone) -> Decided:
        item, orchestrator = event.item, self.orchestrator
        self.playback.item_done(getattr(item, "id", None))
        answers = isinstance(item, p.AssistantMessage) and item.status == "completed"
        orchestrator.item_done(event.response_id, answers=answers)
        outside = self.playback.is_outside(event.response_id)  # (the app's calls)
        if not outside and isinstance(item, (p.AssistantMessage, p.McpCall)):
            self.journal.heard(item)
        if isinstance(item, p.FunctionCall) and item.id:
            # Done, whatever its status: a call cut off by a cancel never completes.
            self._item_names.pop(item.id, None)
            if item.status in _DONE and item.call_id and not outside:
                return orchestrator.call_arrived(
                    item.call_id, item.name, item.arguments, event.response_id, item.id
                )
        elif isinstance(item, p.McpApprovalRequest) and not outside:
            return orchestrator.approval_arrived(item, event.response_id)
        return None

    def _on_speech_started(self, event: p.InputAudioBufferSpeechStarted) -> Decided:
        self.orchestrator.batches.user_speaks()  # (nothing asked for over them: see there)
        if not self.playback.interrupts:  # ``interrupt_response=False``: the answer goes on
            return None
        stop = self.playback.interrupted()  # assistant audio may be playing: stopped, cut
        decided: list[Decision | Action] = [] if stop is None else [stop]
        # The calls last: each is answered as cancelled as soon as its cancel is carried out,
        # and the app hears of the interruption before it hears of what it cost.
        return decided + self.orchestrator.barge_in("the user started speaking")

    def _on_turn_over(self, event: Any) -> Decided:
        # The user's speech stopped, or the buffer it went to was committed or cleared (by
        # the app: no speech_stopped comes then): the response it brings sees what is owed.
        self.orchestrator.batches.turn_over()
        # An aside held while the user spoke goes at that response's end, or now, when no
        # response of the server's comes for the turn (cleared; or the app answers turns).
        audio_in = (self.config.get("audio") or {}).get("input") or {}
        detection = audio_in.get("turn_detection")
        brings = isinstance(detection, dict) and detection.get("create_response") is not False
        if event.type == "input_audio_buffer.cleared":  # no response comes: what is owed goes
            return self.orchestrator.maybe_ask() or self.orchestrator.maybe_aside()
        if not brings:  # (the app's answer to the turn will answer what is owed too)
            return self.orchestrator.maybe_aside()
        return None

    # -- decisions out -------------------------------------------------------------------------

    def _wire(self, decisions: Iterable[Decision | Action]) -> list[Action]:
        """The orchestrator's decisions as Realtime client events (the rest as they are)."""
        actions: list[Action] = []
        for decision in decisions:  # (the rest are actions already: calls, news for the app)
            out = OUT.get(type(decision))
            actions += [cast(Action, decision)] if out is None else out(decision)
        return actions

    # -- a new connection ------------------------------------------------------------------

    def sent(self, event: Any) -> None:
        """The runner is about to send ``event`` (or would, were it connected): an item we
        create goes in the journal at this moment, so that a replay holds it exactly once; an
        out-of-band request of the app's is kept until its response begins (see
        ``_unbegun_asides``), however it goes out (asked, held while offline, asked again)."""
        journal_sent(self.journal, event, self.playback)
        if type(event) is p.ResponseCreate:
            self._asked_aside(event)

    def disconnected(self) -> list[Action]:
        """The connection dropped (news of it once: later news of it is ignored). A new
        Realtime session needs ``tracing`` again, as it needs every setting again, also after
        a connection that dropped before it was set up; a sideband call keeps its own."""
        self._restater.dropped()
        self._tracing_sent &= self.sideband
        unbegun = self._unbegun_asides()
        if not self.orchestrator.link_event(LinkInput.DROPPED):
            return [*self._requests.close(), *unbegun]  # a new connection dropped: no replies
        cut = self.playback.forget(session_lost=not self.sideband)
        if not self.sideband:  # (a call's conversation, and what it said, stay on the server)
            self.journal.cut_off()
        told = [Emit(SessionWarning(_CUT_ASIDE % ", ".join(cut), {"response_ids": cut}))]
        return [*self._requests.close(), *(told if cut else ()), *unbegun]

    def replay(self) -> list[Action]:
        """The conversation, given back to a new connection (see ``Journal.replay``)."""
        self.orchestrator.link_event(LinkInput.REOPENED)
        items, ref = self.journal.replay(sideband=self.sideband), self.next_event_id
        if self.sideband:  # the call's conversation stayed on the server
            self.orchestrator.batches.sent_again(items)
        for item in items:  # a message the server had: its echo is not the user again
            if isinstance(item, p.UserMessage) and item.id and self.journal.confirmed(item.id):
                self.own_message(item.id)  # (one it never had is new: guarded, counted)
        return [Send(p.ConversationItemCreate(event_id=ref(), item=i)) for i in items]

    def resumed(self) -> list[Action]:
        held, self._asides_held = self._asides_held, ()
        return [*held, *self._wire(self.orchestrator.owed())]


_ROUTES: dict[str, Callable[[RealtimeCore, Any], Decided]] = {
    "session.created": RealtimeCore._on_session_created,
    "session.updated": RealtimeCore._on_session_updated,
    "error": RealtimeCore._on_error,
    "conversation.item.added": RealtimeCore._on_item_added,
    "conversation.item.created": RealtimeCore._on_item_created,
    "conversation.item.done": RealtimeCore._on_item_done,
    "conversation.item.deleted": RealtimeCore._on_item_deleted,
    "conversation.item.truncated": RealtimeCore._on_item_truncated,
    "conversation.item.input_audio_transcription.completed": RealtimeCore._on_transcript,
    "response.output_text.delta": RealtimeCore._on_text_delta,
    "response.output_audio_transcript.delta": RealtimeCore._on_text_delta,
    "conversation.item.input_audio_transcription.delta": RealtimeCore._on_user_transcript_delta,
    "response.output_audio.delta": RealtimeCore._on_audio_delta,
    "response.created": RealtimeCore._on_response_created,
    "response.done": RealtimeCore._on_response_done,
    "response.function_call_arguments.done": RealtimeCore._on_arguments_done,
    "response.output_item.added": RealtimeCore._on_output_item_added,
    "response.output_item.done": RealtimeCore._on_output_item_done,
    "input_audio_buffer.speech_started": RealtimeCore._on_speech_started,
    "input_audio_buffer.speech_stopped": RealtimeCore._on_turn_over,
    "input_audio_buffer.committed": RealtimeCore._on_turn_over,
    "input_audio_buffer.cleared": RealtimeCore._on_turn_over,
}
"""Every server event type that leads to something beyond its delivery to the app."""

"""What the app and the runner ask of a Realtime session, as its client events: the agent's
configuration, the app's text, audio and turns, a barge-in and the truncate it leads to.
Part of ``RealtimeCore`` (sans I/O, as it is): its requests, apart from the frames it reads."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .. import protocol as p
from .actions import Action, Decision, Emit, Send, StopPlayback
from .events import AudioInterrupted, SessionWarning
from .orchestrator import Orchestrator
from .playback import Playback
from .realtime_out import ASIDE
from .restate import Restater
from .states import Link

if TYPE_CHECKING:
    from ..agent import Agent


_UNBEGUN_ASIDE = (
    "out-of-band request(s) %s had no response begun when the connection dropped: not asked "
    "for again (the call's session may have begun one unseen)"
)
_UNHEARD = (
    "agent %r has input guardrails, which read what the user said, and no transcription=: "
    "spoken turns are not transcribed, so only typed ones are checked"
)


class RealtimeRequests:
    """``RealtimeCore``'s client events out (it has what these read; see there)."""

    orchestrator: Orchestrator
    playback: Playback
    _restater: Restater
    _tracing_sent: bool
    _asides_held: tuple[Action, ...]
    _asides_asked: tuple[p.ResponseCreate, ...]
    sideband: bool

    if TYPE_CHECKING:  # (the core's own; declared for the type checker only, never to
        # stand in the MRO before the real ones)

        def next_event_id(self) -> str: ...

        def request(self, event: Any, reply_type: str) -> tuple[str, list[Action]]: ...

        def _wire(self, decisions: Iterable[Decision | Action]) -> list[Action]: ...

    def configure(
        self, agent: Agent, *, tools: Sequence[p.FunctionToolDefinition], tracing: Any
    ) -> tuple[str, list[Action]]:
        """The agent as ``session.update`` (what an agent before it set restated: see there)."""
        hosted = [config.definition() for config in agent.sources.hosted]
        config = self._restater.restated(
            agent.session_config(tools=[*tools, *hosted], tracing=tracing)
        )
        ref, actions = self.update_session(config)
        audio_in = config.audio.input if config.audio is not None else None
        # (not a sideband's: the call's accept may transcribe, and its config is not ours)
        heard = self.sideband or (audio_in is not None and audio_in.transcription is not None)
        if agent.guardrails is not None and agent.guardrails.input and not heard:
            actions.append(Emit(SessionWarning(_UNHEARD % agent.name)))
        return ref, actions

    def update_session(self, config: p.SessionConfig) -> tuple[str, list[Action]]:
        """``session.update``, awaiting ``session.updated``. The server fixes ``tracing`` once
        set, so only the first update of a session carries it (none of a sideband's: the
        call's accept set it)."""
        if self._tracing_sent:
            config.__pydantic_fields_set__.discard("tracing")
        elif "tracing" in config.model_fields_set:
            self._tracing_sent = True
        return self.request(
            p.SessionUpdate(event_id=self.next_event_id(), session=config), "session.updated"
        )

    def send_text(self, text: str) -> list[Action]:
        # Our items carry our own ids, so that the journal can follow them.
        item = p.UserMessage(
            id="msg_" + secrets.token_hex(12),
            content=[p.UserContent(type="input_text", text=text)],
        )
        return [Send(p.ConversationItemCreate(event_id=self.next_event_id(), item=item))]

    def append_audio(self, pcm: bytes) -> list[Action]:
        # The hot path of a voice session: the frame is built directly, no model round trip.
        audio = base64.b64encode(pcm).decode("ascii")
        return [Send('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')]

    def commit_audio(self) -> list[Action]:
        return [Send(p.InputAudioBufferCommit(event_id=self.next_event_id()))]

    def cancel_response(self) -> list[Action]:
        return [Send(p.ResponseCancel(event_id=self.next_event_id()))]

    def request_response(self, params: p.ResponseCreateParams | None = None) -> list[Action]:
        """The app asks for a turn (``create_response``): an out-of-band one goes now, beside
        whatever runs (while the connection is down, once the next has the conversation
        back); one in the conversation is the orchestrator's to place."""
        if params is not None and params.conversation == "none":
            send = Send(p.ResponseCreate(event_id=self.next_event_id(), response=params))
            if self.orchestrator.link.state is not Link.OFFLINE:
                return [send]
            self._asides_held = (*self._asides_held, send)  # (a send now would be dropped)
            return []
        return self._wire(self.orchestrator.app_asked(params))

    def _asked_aside(self, event: p.ResponseCreate) -> None:
        """A ``response.create`` goes out: the app's out-of-band one is kept until its
        response begins, however it goes (asked, held while offline, asked again)."""
        asked = event.response
        ours = asked is not None and ASIDE in (asked.metadata or {})  # a progress, a filler
        if asked is not None and asked.conversation == "none" and not ours:
            self._asides_asked = (*self._asides_asked, event)

    def _unbegun_asides(self) -> list[Action]:
        """The app's out-of-band requests a drop took before their responses began: asked
        for again on the next connection, a new server session that never had them; for a
        call's sideband, whose session goes on and may have begun one, told instead."""
        asked, self._asides_asked = self._asides_asked, ()
        if not asked or not self.sideband:
            self._asides_held = (*(Send(a) for a in asked), *self._asides_held)
            return []
        refs = [str(a.event_id) for a in asked]
        return [Emit(SessionWarning(_UNBEGUN_ASIDE % ", ".join(refs), {"event_ids": refs}))]

    def interrupt(self, played_ms: int | None) -> list[Action]:
        """Barge-in from the app: cancel the response, cut unheard audio, stop cancellable calls."""
        actions: list[Action] = []
        if self.orchestrator.active is not None:
            actions.append(Send(p.ResponseCancel(event_id=self.next_event_id())))
        if played_ms is None:  # the player says what it played, of the items it may be playing
            stop = self.playback.interrupted() or StopPlayback(None, None, heard_only=True)
        else:
            stop = StopPlayback(self.playback.item_id, played_ms, heard_only=False)
        actions.append(stop)
        return actions + self._wire(self.orchestrator.barge_in("the user interrupted"))

    def playback_stopped(
        self, item_id: str | None, played_ms: int | None, heard_only: bool
    ) -> list[Action]:
        """What the player played of ``item_id`` (see ``StopPlayback``): the truncate at
        it (none when nothing played and ``heard_only``), and the app told."""
        actions: list[Action] = []
        if played_ms is not None and not (heard_only and played_ms <= 0):
            if item_id != self.playback.item_id:  # (an earlier item the player was playing)
                self.playback.playing(item_id)
            truncate = self.playback.truncate(played_ms, self.next_event_id())
            if truncate is not None:
                actions.append(Send(truncate))
        self.playback.stopped()
        actions.append(Emit(AudioInterrupted(item_id=item_id, played_ms=played_ms)))
        return actions

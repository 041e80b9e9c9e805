"""The emulator's server, sans I/O: one Realtime session's connection as a state machine.

Client frames go in (``receive``), time goes in (``advance``), and actions come out, one at
a time (``next_action``): server events to send, requests for the model or a hosted MCP
server, and the end of the connection. The answers to requests come back in (``resolve``).
Nothing here reads a clock, a socket or the model, so the same inputs always give the
same events in the same order, and tests drive it with no sockets and no sleeps.
"""

from __future__ import annotations

import logging
import random
import re
from typing import Any

from ..protocol import (
    ConversationCreated,
    ConversationItemAdded,
    ConversationItemDone,
    Error,
    InputAudioBufferTimeoutTriggered,
    InputAudioTranscriptionCompleted,
    InputAudioTranscriptionDelta,
    RateLimitsUpdated,
    SessionCreated,
)
from .actions import Disconnect, Send, ServerAction
from .config import audio_format, initial_session
from .conversation import Conversation, new_id, public_item
from .errors import ClientEventError, check_depth, read_frame
from .faults import ExpireSession, Fault, RaceResponse
from .handlers import HANDLERS, typed
from .hosted_mcp import HostedMCP
from .input_audio import Committed, InputAudio
from .jobs import Jobs
from .outbox import Outbox, Steps
from .pump import Pump
from .responses import ResponseRun
from .settings import ServerSettings
from .usage import transcription_usage
from .vad import VadEvent

log = logging.getLogger("rtagents.emulator")
_RATE_LIMITS = [
    {"name": "requests", "limit": 5000, "remaining": 4999, "reset_seconds": 0.012},
    {"name": "tokens", "limit": 400000, "remaining": 399000, "reset_seconds": 0.15},
]


class ServerCore:
    """One client connection of the emulator, sans I/O (see the module's docstring)."""

    def __init__(
        self,
        settings: ServerSettings | None = None,
        *,
        model_name: str = "gpt-realtime",
        now_ms: float = 0.0,
        created_at_s: float = 0.0,
        intent: str | None = None,
    ) -> None:
        self.settings = settings or ServerSettings()
        self.now_ms = now_ms
        self.session: dict[str, Any] = initial_session(intent)
        self.session["id"] = new_id("sess")
        if self.session["type"] == "realtime":  # (a transcription session runs no model)
            self.session["model"] = model_name
        # The real server caps a session's length and says when it ends; so does this one.
        self.session["expires_at"] = int(created_at_s + self.settings.max_session_s)
        self.conversation = Conversation()
        self.out = Outbox()
        self.audio = InputAudio(self.out, self.conversation)
        self.audio.configure(self.session)
        self.hosted = HostedMCP(self.out, self.conversation)
        self.active: ResponseRun | None = None
        self._owed_turn = False  # a turn committed while the response it cut off was ending
        """The response in the conversation now (out-of-band ones run beside it)."""
        self.responses: list[ResponseRun] = []
        self.last_response_id: str | None = None
        self._jobs: Jobs[ResponseRun] = Jobs(self._response_finished)
        self._pump = Pump(self.out, self._jobs, started_ms=now_ms, expire=self._expired)
        for fault in (*self.settings.faults, ExpireSession(at_s=self.settings.max_session_s)):
            self.add_fault(fault)
        self._idle_at: float | None = None
        self._idle_from_ms = 0
        self._last_event_id: str | None = None
        self._random = random.Random(self.settings.seed)

    def continue_session(self, previous: ServerCore) -> None:
        """Serve the session ``previous`` served: a SIP call's session lives on the server,
        so a sideband connection opened again finds its configuration and conversation.
        What the old connection had in flight (a response, input audio) ended with it."""
        self.session = previous.session
        self.conversation = previous.conversation
        self.audio = InputAudio(self.out, self.conversation)
        self.audio.configure(self.session)
        self.hosted = HostedMCP(self.out, self.conversation)
        self.hosted.carry_on(previous.hosted)
        self.last_response_id = previous.last_response_id

    # -- inputs ----------------------------------------------------------------------------

    def start(self) -> None:
        """The connection opened: the session's first events."""
        self.out.emit(SessionCreated, session=self.public_session())
        self.out.emit(
            ConversationCreated,
            conversation={"id": self.conversation.id, "object": "realtime.conversation"},
        )
        # A session configured before it opened (a client secret's, a call's accept, a
        # WebRTC offer) lists its hosted MCP servers' tools now, as an update would.
        self.run_jobs(self.hosted.configure(self.session.get("tools", [])))

    keeps_work = False
    """A Realtime session ends with its connection (GPT-Live's may not)."""

    @property
    def closed(self) -> bool:
        """Whether the connection is over (it ended, or the client left)."""
        return self._pump.closed

    def add_fault(self, fault: Fault) -> None:
        """Inject a fault from now on (time faults count from the connection's start)."""
        self._pump.add_fault(fault)

    def advance(self, now_ms: float) -> None:
        """Time moved on: fire what is due (timed faults, the idle timeout)."""
        self.now_ms = max(self.now_ms, now_ms)
        self._pump.advance(self.now_ms)
        if self._idle_at is not None and self._idle_at <= self.now_ms:
            self._idle_at = None
            self._idle_timeout()

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
            if isinstance(fault, RaceResponse):
                if self.active is None:
                    # The server's own response, as server VAD would start it, comes first.
                    self.announce(self.start_response({}))
            elif fault is not None:
                self._pump.end(fault)
                return raw
            handler = HANDLERS.get(kind)
            if handler is None:
                raise ClientEventError(
                    f"Invalid value: '{raw.get('type')}'. It is not a client event type.",
                    code="invalid_value",
                    param="type",
                )
            handler(self, typed(raw))
        except ClientEventError as err:
            self.reject(err)
        except Exception as exc:  # a bug here must not end the client's session
            log.exception("emulator failed on a client event")
            self.reject(
                ClientEventError(
                    f"The server had an error: {exc}", code="server_error", type="server_error"
                )
            )
        return raw if isinstance(raw, dict) else None

    def resolve(self, ticket: int, answer: Any) -> None:
        """The answer to a request (an exception when it failed); late answers are ignored."""
        self._jobs.resolve(ticket, answer)

    def _expired(self) -> list[ServerAction]:
        """The session hit its time cap: an ``error``, then the close."""
        detail = {
            "type": "invalid_request_error",
            "code": "session_expired",
            "message": "Your session hit the maximum duration of 60 minutes.",
            "param": None,
            "event_id": None,
        }
        error = Error(event_id=new_id("event"), error=detail)
        return [Send(error), Disconnect(1000, "session expired")]

    def drop(self, code: int = 1011, reason: str = "emulator dropped the connection") -> None:
        """End the connection abruptly, as a crashing server would."""
        self._pump.drop(code, reason)

    def close(self) -> None:
        """The client went away: stop everything."""
        self._pump.closed = True
        for run in self.responses:
            run.cancel("client_cancelled")
        self._jobs.clear()
        self.audio.release()

    # -- outputs ---------------------------------------------------------------------------

    def next_action(self) -> ServerAction | None:
        """The next thing to do, or ``None`` until more input or time (see ``wake_at``)."""
        return self._pump.next_action(self.now_ms)

    def wake_at(self) -> float | None:
        """When ``advance`` has something to do next, if nothing comes in before."""
        times = self._pump.wake_times()
        if self._idle_at is not None:
            times.append(self._idle_at)
        return min(times) if times else None

    def _response_finished(self, run: ResponseRun) -> None:
        self.responses.remove(run)
        self.last_response_id = run.id
        if self.active is run:
            self.active = None
            self._arm_idle(run.audio_ms)
        # The real server reports rate limits once a response is done.
        self.out.emit(RateLimitsUpdated, rate_limits=_RATE_LIMITS)
        if self._owed_turn and self.active is None:
            self._owed_turn = False
            self.start_response({})

    # -- what handlers share ---------------------------------------------------------------

    def reject(self, err: ClientEventError) -> None:
        """Answer the client event being handled with an ``error``."""
        log.debug("client event rejected: %s", err.message)
        self._fail(err.code, err.message, param=err.param, kind=err.type)

    def _fail(
        self,
        code: str,
        message: str,
        *,
        param: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        detail = {
            "type": kind,
            "code": code,
            "message": message,
            "param": param,
            "event_id": self._last_event_id,
        }
        self.out.emit(Error, error=detail)

    def public_session(self) -> dict[str, Any]:
        shown = {k: v for k, v in self.session.items() if k != "tools"}
        if self.session.get("type") == "transcription":  # (no tools: the API shows none)
            return shown
        return shown | {"tools": [hide_secrets(t) for t in self.session.get("tools", [])]}

    def run_jobs(self, jobs: list[Steps[None]]) -> None:
        for steps in jobs:
            self._jobs.add(steps)

    def start_response(self, params: dict[str, Any]) -> ResponseRun:
        """Start a response (``response.create``, or a turn the server detected)."""
        run = ResponseRun(
            params,
            session=self.session,
            out=self.out,
            conversation=self.conversation,
            hosted=self.hosted,
            settings=self.settings,
        )
        if run.in_conversation:
            if self.active is not None:
                raise ClientEventError(
                    f"Conversation already has an active response in progress: {self.active.id}. "
                    "Wait until the response is finished before creating a new one.",
                    code="conversation_already_has_active_response",
                )
            self.active = run
        self._idle_at = None
        self.responses.append(run)
        self._jobs.add(run.steps(), run)
        return run

    def announce(self, run: ResponseRun) -> None:
        """``run``'s ``response.created`` goes out now, before the next client event is
        handled, as the API's does for a ``response.create``: what the client sends after
        (an item, say) comes after the response began, and is not in its input."""
        self._jobs.step_owner(run, self.now_ms)

    def cancel_response(self, run: ResponseRun, reason: str) -> None:
        run.cancel(reason)
        # Waiting on the model or a tool: it stops now, and their answer is dropped.
        self._jobs.stop_waiting(run)

    def turn_detected(self, vad: VadEvent) -> None:
        """Server VAD heard speech start or stop: interrupt, commit, respond."""
        turn = self.session["audio"]["input"].get("turn_detection") or {}
        if vad.kind == "started":
            self._idle_at = None
            self.audio.speech_started(vad.audio_ms)
            if turn.get("interrupt_response", True) and self.active is not None:
                self.cancel_response(self.active, "turn_detected")
        else:
            item_id = self.audio.speech_stopped(vad.audio_ms)
            committed = self.audio.commit(self.session, item_id)
            responds = self.session["type"] == "realtime" and turn.get("create_response", True)
            self.add_user_audio(committed, respond=responds)

    def add_user_audio(self, committed: Committed, *, respond: bool) -> None:
        """A committed turn: its item, a response when the turn asks for one, the transcript."""
        public = public_item(committed.item)
        previous = committed.previous_item_id
        transcribe = self.settings.transcribe
        # The hook is the stand-in model's ears: it hears the turn whether or not the
        # session asked for transcripts, as the real model hears audio.
        heard = transcribe(committed.audio, committed.ms) if transcribe else None
        committed.item["_heard"] = heard
        self.out.emit(ConversationItemAdded, previous_item_id=previous, item=public)
        self.out.emit(ConversationItemDone, previous_item_id=previous, item=public)
        run = None
        if respond and self.active is None:
            run = self.start_response({})
        elif respond and self.active is not None and self.active.cancel_reason is not None:
            self._owed_turn = True  # the turn cut it off: it answers once that one is done
        if not self.session["audio"]["input"].get("transcription"):
            return
        text = heard if heard is not None else f"[{committed.ms} ms of audio]"
        item_id = committed.item["id"]

        # With the include asked for, each piece comes with its tokens' log probabilities
        # (the stand-in model is sure of every word: 0.0).
        included = "item.input_audio_transcription.logprobs" in (self.session.get("include") or ())
        logprobs = _logprobs(text) if included else {}

        def deliver() -> None:
            committed.item["content"][0]["transcript"] = text
            ids = {"item_id": item_id, "content_index": 0}
            self.out.emit(InputAudioTranscriptionDelta, **ids, delta=text, **logprobs)
            model = self.session["audio"]["input"]["transcription"].get("model")
            usage = transcription_usage(model, text, committed.ms)
            self.out.emit(
                InputAudioTranscriptionCompleted, **ids, transcript=text, usage=usage, **logprobs
            )

        order = self.settings.transcript_order
        if order == "random":
            order = self._random.choice(("before", "after"))
        if run is not None and order == "after":
            run.after_created.append(deliver)
        else:
            deliver()

    # -- idle timeout ----------------------------------------------------------------------

    def _arm_idle(self, played_ms: int) -> None:
        turn = self.session["audio"]["input"].get("turn_detection") or {}
        timeout = turn.get("idle_timeout_ms")
        if timeout and turn.get("type") == "server_vad":
            # The assistant's audio plays out first: the silence counts from its end.
            self._idle_at = self.now_ms + timeout + played_ms
            self._idle_from_ms = self.audio.audio_ms

    def _idle_timeout(self) -> None:
        if self.active is not None or self.audio.speaking:
            return
        item_id = new_id("item")
        self.out.emit(
            InputAudioBufferTimeoutTriggered,
            audio_start_ms=self._idle_from_ms,
            audio_end_ms=self.audio.audio_ms,
            item_id=item_id,
        )
        self.add_user_audio(self.audio.commit(self.session, item_id), respond=True)

    def input_format(self) -> str:
        return audio_format(self.session, "input")


def hide_secrets(tool: dict[str, Any]) -> dict[str, Any]:
    # The server never echoes credentials back.
    return {k: v for k, v in tool.items() if k not in ("authorization", "headers")}


def _logprobs(text: str) -> dict[str, list[dict[str, object]]]:
    """A transcript's ``logprobs``: one a word (with the space before it), as sure as can be."""
    tokens = re.findall(r"\s*\S+", text)
    return {"logprobs": [{"token": t, "logprob": 0.0, "bytes": list(t.encode())} for t in tokens]}

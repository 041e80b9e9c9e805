"""The port between the session's runner and a wire adapter: what the runner, ``Upstream``
and ``RealtimeSession`` use of the sans-I/O core of one API.

Two adapters satisfy it, over the same ``Orchestrator``: ``RealtimeCore`` (the Realtime API,
``realtime.py``) and ``LiveCore`` (GPT-Live, ``live.py``). Each turns the API's server
events into the orchestrator's inputs and its decisions into the API's client events; the
runner names no wire event, and asks the adapter for everything the API decides: how to
configure a connection, how a client event is encoded, what an app's request becomes. A
request the API cannot carry out raises ``UnsupportedByAPI`` before anything is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from .. import protocol as p
from .._latest import keep_latest
from ..errors import UnsupportedByAPI, root_cause
from ..protocol.audio_formats import declared_input_format, input_format, output_format
from .actions import Action, Decision, Emit, TraitsOf
from .events import SessionWarning
from .hosted_listings import HostedListings
from .journal import Journal
from .journal_items import note_item_id
from .orchestrator import Orchestrator
from .wire import Requests

if TYPE_CHECKING:
    from ..agent import Agent

log = logging.getLogger("rtagents.session")

API = Literal["realtime", "live"]
"""The API a session speaks: OpenAI's Realtime API, or GPT-Live."""


class WireAdapter(Protocol):
    """One session's protocol state for one API: frames in, actions out (sans I/O)."""

    api: str
    """``"realtime"`` or ``"live"``."""
    orchestrator: Orchestrator
    journal: Journal
    session_id: str | None
    expires_at: float | None
    hosted_tools: HostedListings
    client_fillers: bool
    sideband: bool
    """A call's session (made by its accept): a new connection attaches to the same one."""

    @property
    def config(self) -> dict[str, Any]: ...

    @property
    def responding(self) -> bool:
        """Whether a response is active or asked for, in the conversation or out of band
        (a handover waits for none: see ``upstream``)."""
        ...

    @property
    def output_format(self) -> str:
        """The output audio format the server last reported (``audio/pcm`` until then)."""
        ...

    @property
    def input_format(self) -> str:
        """The input audio format the server reads the next appended audio in."""
        ...

    def next_event_id(self) -> str:
        """The id of the next client event this session sends."""
        ...

    # -- frames in, client events out --------------------------------------------------------

    def receive_frame(self, frame: str | bytes) -> list[Action]:
        """One frame from the server: the event for the app, and what it leads to."""

    def encode(self, event: Any) -> str:
        """A client event of this API as the text of one frame."""

    def configure(
        self, agent: Agent, *, tools: Sequence[p.FunctionToolDefinition], tracing: Any
    ) -> tuple[str, list[Action]]:
        """The agent's configuration (``tools``: the function tools this process runs,
        local MCP tools included), as a request: its id, and what to carry out; the reply
        resolves that id. Realtime sends ``session.update``; GPT-Live ``session.start`` on
        a new connection and ``session.update`` after."""

    # -- what the runner carried out ----------------------------------------------------------

    def call_finished(
        self, work_id: str, output: str, *, cancelled: bool = False
    ) -> list[Action]: ...

    def approval_decided(
        self, request_id: str, approve: bool, reason: str | None
    ) -> list[Action]: ...

    def background_finished(
        self, call_id: str, role: str, text: str, *, reply: bool
    ) -> list[Action]:
        """A background call's work ended: its result, as a message the model reads."""

    def playback_stopped(
        self, item_id: str | None, played_ms: int | None, heard_only: bool
    ) -> list[Action]: ...

    def progress(self, work_id: str, text: str) -> list[Action]:
        """A running call's progress update (``ctx.progress``), spoken when the API allows."""

    def timer_fired(self, key: str) -> list[Action]:
        """A ``StartTimer`` the runner carried out is due."""

    def close(self) -> list[Action]:
        """The session ended: every request still waiting gets no reply."""

    def goodbye(self) -> str | None:
        """The frame that ends the session on the server, sent as its connection closes
        (GPT-Live's ``session.close``: a Live session outlives its socket, billed, for an
        attach); ``None`` when closing the connection ends it."""

    def last_word(self, frame: str | bytes) -> Any:
        """A frame that came after the session ended: the usage it reports, as an event for
        the meter alone (the app heard the end already), or ``None`` (GPT-Live's
        ``session.closed``, answering ``goodbye``, has the session's final total)."""

    # -- the connection ----------------------------------------------------------------------

    def sent(self, event: Any) -> None:
        """``event`` is about to go out (or would, were the connection up)."""

    def settle(self) -> list[Action]:
        """The frames at hand are read and answered: what was left for later is done now
        (the journal's writes), and what it leads to."""

    def disconnected(self) -> list[Action]: ...

    def replay(self) -> list[Action]: ...

    def resumed(self) -> list[Action]: ...

    def own_message(self, item_id: str) -> None: ...

    def owns_message(self, item_id: str | None) -> bool: ...

    # -- the app's requests (``UnsupportedByAPI`` when the API has no such thing) --------------

    def send_text(self, text: str) -> list[Action]: ...

    def append_audio(self, pcm: bytes) -> list[Action]: ...

    def commit_audio(self) -> list[Action]: ...

    def request_response(self, params: p.ResponseCreateParams | None = None) -> list[Action]: ...

    def cancel_response(self) -> list[Action]: ...

    def interrupt(self, played_ms: int | None) -> list[Action]: ...

    def commentary(self, text: str, delegation_id: str | None) -> list[Action]:
        """Context the model may speak (GPT-Live's ``session.commentary.append``)."""

    def thinking(self, text: str, delegation_id: str | None) -> list[Action]:
        """Silent context for the model (GPT-Live's ``session.thinking.append``)."""


AdapterFactory = Callable[[TraitsOf, Journal], WireAdapter]
"""Makes a session's adapter from what the orchestrator needs: the tools' traits by name,
and the journal."""


_UNANSWERED = "the session ended before a response answered the outputs of "
_API_NAMES = {"realtime": "the Realtime API", "live": "GPT-Live"}
_LIVE_ONLY = "it is GPT-Live's (connect(agent, api='live')); here, use send_text or instructions"
_OWN_KEPT = 128  # of the framework's own message ids, beyond what a replay gives back


def failed_on(event: Any, size: int, exc: Exception) -> list[Action]:
    """A server event an adapter failed on (a bug of ours): it costs that event's effects,
    never the session; the app still gets the event, and a warning saying what failed."""
    log.exception("the session failed on a %s event", event.type)
    warning = SessionWarning(f"failed on {event.type}: {root_cause(exc, None)}")
    return [Emit(event, size), Emit(warning)]


class OrchestratedAdapter:
    """What every adapter does alike over its orchestrator: requests that wait for a reply,
    and the app's answers (a call's output, an approval) turned into the API's client
    events by the adapter's own ``_wire``."""

    orchestrator: Orchestrator
    next_event_id: Callable[[], str]
    _requests: Requests
    _own_messages: dict[str, None] | None = None  # (a dict: untracked by the collector)

    @property
    def responding(self) -> bool:
        return self.orchestrator.waiting

    def own_message(self, item_id: str) -> None:
        """``item_id`` is a message the framework sends itself, in any role: a background
        result, a guardrail's note, an item given back to a new connection. The server's
        news of it is never someone speaking (a guardrail's turn, ``max_handoffs``' count)."""
        own = self._own_messages
        if own is None:
            own = self._own_messages = {}
        # The latest: an echo comes soon after its send, or its replay (the journal's whole)
        keep_latest(own, item_id, None, _OWN_KEPT + cast(Any, self).journal.max_items)

    def commentary(self, text: str, delegation_id: str | None) -> list[Action]:
        """GPT-Live's, which overrides it; on any other API, ``UnsupportedByAPI``."""
        raise UnsupportedByAPI(_API_NAMES[cast(Any, self).api], "commentary", _LIVE_ONLY)

    def thinking(self, text: str, delegation_id: str | None) -> list[Action]:
        """GPT-Live's, as ``commentary`` is."""
        raise UnsupportedByAPI(_API_NAMES[cast(Any, self).api], "thinking", _LIVE_ONLY)

    def owns_message(self, item_id: str | None) -> bool:
        """Whether ``item_id`` is a message of the framework's own (see ``own_message``)."""
        own = self._own_messages
        return own is not None and item_id is not None and item_id in own

    @property
    def output_format(self) -> str:
        """The output audio format in the adapter's ``config`` (each adapter has one; one
        that tracks the format as it goes overrides this)."""
        return output_format(cast(Any, self).config)

    @property
    def input_format(self) -> str:
        """The format the server reads the next appended audio in. It reads client events in
        order, so a configuration sent is its own from there on, before its reply: audio
        sent after it in the format last reported would be read as the new one (pcm16
        silence is full-scale u-law). A refused one never was."""
        for request in self._requests.newest_first():
            declared = declared_input_format(getattr(request, "session", None))
            if declared is not None:
                return declared
        return input_format(cast(Any, self).config)

    def _wire(self, decisions: Iterable[Decision | Action]) -> list[Action]:
        raise NotImplementedError

    def request(self, event: Any, reply_type: str) -> tuple[str, list[Action]]:
        """Send ``event`` and expect ``reply_type`` (or an ``error`` naming it)."""
        return self._requests.send(event, reply_type, self.next_event_id)

    def call_finished(self, work_id: str, output: str, *, cancelled: bool = False) -> list[Action]:
        return self._wire(self.orchestrator.call_finished(work_id, output, cancelled=cancelled))

    def settle(self) -> list[Action]:
        """The journal's writes, applied after the turn's client events went out; its news
        (it let go of calls still waiting), and a warning for a write that failed."""
        journal = self.orchestrator.journal
        failed = journal.settle()
        news = journal.news() if journal.forgotten else None
        if not failed and news is None:
            return []  # most bursts
        told: list[Action] = [
            Emit(SessionWarning(f"the journal lost an item: {root_cause(exc, None)}"))
            for exc in failed
        ]
        return told if news is None else [*told, Emit(news)]

    def approval_decided(self, request_id: str, approve: bool, reason: str | None) -> list[Action]:
        return self._wire(self.orchestrator.approval_decided(request_id, approve, reason))

    notes_want_reply = True
    """Whether a background result wants a response asked for it (GPT-Live's commentary
    is said by the model without one)."""

    client_fillers = True
    """Whether the session asks for its own fillers while tools run (``filler_after_ms``):
    GPT-Live's server acknowledges a delegation itself (``acknowledgement_delay_ms``)."""

    def background_finished(
        self, call_id: str, role: str, text: str, *, reply: bool
    ) -> list[Action]:
        wants_reply = reply and self.notes_want_reply
        self.own_message(note_item_id(call_id))
        decided = self.orchestrator.background_finished(
            call_id, role, text, wants_reply=wants_reply
        )
        return self._wire(decided)

    def progress(self, work_id: str, text: str) -> list[Action]:
        return self._wire(self.orchestrator.progress(work_id, text))

    def timer_fired(self, key: str) -> list[Action]:
        return self._wire(self.orchestrator.timer_fired(key))

    def goodbye(self) -> str | None:
        return None

    def last_word(self, frame: str | bytes) -> Any:
        return None

    def close(self) -> list[Action]:
        """The session ended: every request still waiting gets no reply. Ended by a drop,
        the app hears which outputs no response answered (their calls were told completed:
        the tool ran, and the model never answered what it returned)."""
        ended: list[Action] = list(self._requests.close())
        link = self.orchestrator.link
        left = self.orchestrator.batches.unanswered() if link.dropped or link.cut_short else []
        if left:
            ended.append(Emit(SessionWarning(_UNANSWERED + ", ".join(left), {"call_ids": left})))
        return ended

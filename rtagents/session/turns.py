"""Turn-taking, sans I/O: typed server events in; tool calls, outputs and turns out.

It decides when tools start, when their outputs are sent, and when to ask for the next
model turn. It never awaits, sleeps or touches a socket, so every rule here is tested
with plain function calls. ``SessionCore`` feeds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import protocol as p
from .actions import (
    Action,
    CancelCall,
    ClearPlayback,
    Emit,
    Send,
    StartApproval,
    StartCall,
    ToolTraits,
)
from .events import AudioInterrupted, ResponseRequested, SessionWarning
from .journal import output_item_id
from .ledger import Ledger, Work
from .playback import Playback


class Turns:
    """Tool-call dispatch and turn-taking for one Realtime session.

    The rule for the next turn: one ``response.create`` per batch (the calls and approvals
    of one response), sent once that response is done and every call that wants a reply
    has its output, and never while a response is active in the default conversation or
    a ``response.create`` of ours is unanswered.
    """

    def __init__(
        self, traits: Callable[[str], ToolTraits | None], next_event_id: Callable[[], str]
    ) -> None:
        self._traits = traits
        self.next_event_id = next_event_id
        self.active_response: str | None = None
        self._create_in_flight: str | None = None  # event_id of our unanswered response.create
        self._ledger = Ledger()
        # Every call id (and approval id) ever started, with its item: kept for the whole
        # session, so that a replayed id is never run twice (about 100 bytes a call).
        self._seen: dict[str, str | None] = {}
        self.playback = Playback()
        self.played_ms: Callable[[str], int | None] | None = None
        """The app's player's account of what it played (``AudioPlayer.played_ms``)."""
        self._item_names: dict[str, str] = {}  # function call item id -> tool name
        # The app's own response.create, kept until its response has output: a drop before
        # that asks again on the next connection.
        self._app_request: p.ResponseCreate | None = None
        self._app_sent = False  # ... and sent on this connection
        self._app_response: str | None = None  # the response that answers it
        self._online = True  # between a drop and the conversation's replay: False
        self.responses_done = 0
        """Responses finished, over every connection: a connection that finished one has
        done real work (see ``Reconnect``: it proved healthy)."""

    # -- server events in ------------------------------------------------------------------

    def receive(self, event: Any) -> list[Action]:
        kind = event.type
        if kind == "response.output_audio.delta":
            self.playback.delta(event)
            return []
        handler = _HANDLERS.get(kind)
        return handler(self, event) if handler else []

    def _on_configured(self, event: p.SessionCreated | p.SessionUpdated) -> list[Action]:
        self.playback.configured(event.session)
        return []

    def _on_response_created(self, event: p.ResponseCreated) -> list[Action]:
        response = event.response
        request = self._app_request
        if request is not None and self._app_sent and self._create_in_flight == request.event_id:
            self._app_response = response.id  # the app's request is kept until it has output
        self._create_in_flight = None
        if _in_default_conversation(response):
            self.active_response = response.id
            # Every output the server has added is in this response's context: seen, and
            # answered once this response is done (a drop before that asks again).
            self._ledger.seen(response.id or "?")
        return []

    def _on_response_done(self, event: p.ResponseDone) -> list[Action]:
        response = event.response
        self.responses_done += 1
        actions: list[Action] = []
        # Calls whose done events we never saw still run: response.done lists them all.
        for item in response.output or []:
            if isinstance(item, p.FunctionCall) and item.status == "completed" and item.call_id:
                actions += self._start_call(
                    item.call_id, item.name, item.arguments, response.id, item.id
                )
        if response.id is not None:
            self._ledger.batch(response.id).done = True
        self._answered(response.id)
        if self.active_response == response.id or self.active_response is None:
            self.active_response = None
        return actions + self._maybe_request()

    def _on_arguments_done(self, event: p.ResponseFunctionCallArgumentsDone) -> list[Action]:
        name = event.name or self._item_names.get(event.item_id, "")
        return self._start_call(
            event.call_id, name, event.arguments, event.response_id, event.item_id
        )

    def _answered(self, response_id: str | None) -> None:
        if response_id is not None and response_id == self._app_response:
            self._app_request = self._app_response = None
        self._ledger.answered(response_id)

    def _on_output_item(
        self, event: p.ResponseOutputItemAdded | p.ResponseOutputItemDone
    ) -> list[Action]:
        item = event.item
        if event.type == "response.output_item.done" and event.response_id == self._app_response:
            self._app_request = self._app_response = None  # from here, its batch answers
        if isinstance(item, p.FunctionCall) and item.id:
            if event.type == "response.output_item.added":
                self._item_names[item.id] = item.name  # for arguments.done without a name
                return []
            # Done, whatever its status: a call cut off by a cancel never completes.
            self._item_names.pop(item.id, None)
            if item.status == "completed" and item.call_id:
                return self._start_call(
                    item.call_id, item.name, item.arguments, event.response_id, item.id
                )
            return []
        if isinstance(item, p.McpApprovalRequest) and event.type == "response.output_item.done":
            return self._start_approval(item, event.response_id)
        if (
            isinstance(item, p.AssistantMessage)
            and event.type == "response.output_item.done"
            and item.status == "completed"
        ):
            # Answered: a drop before this response's done must not ask a second time.
            self._answered(event.response_id)
        return []

    def _on_item_added(
        self, event: p.ConversationItemAdded | p.ConversationItemCreated
    ) -> list[Action]:
        item = event.item
        if isinstance(item, p.FunctionCallOutput):
            self._ledger.confirm_output(item.call_id)
        elif isinstance(item, p.McpApprovalResponse):
            self._ledger.confirm(item.approval_request_id)
        else:
            return []
        return self._maybe_request()

    def _on_error(self, event: p.Error) -> list[Action]:
        err = event.error
        actions: list[Action] = []
        if err.event_id is not None and err.event_id == self._create_in_flight:
            self._create_in_flight = None
            if self._app_request is not None and err.event_id == self._app_request.event_id:
                if err.code == "conversation_already_has_active_response":
                    self._app_sent = False  # asked again when that response is done
                else:
                    self._app_request = None
            if err.code != "conversation_already_has_active_response":
                # Not a race we can wait out: give up on the waiting outputs, say so.
                self._ledger.give_up()
                actions.append(
                    Emit(
                        SessionWarning(f"response.create failed: {err.message}", {"code": err.code})
                    )
                )
            # Otherwise a response we did not ask for is running; its done reopens the gate.
        elif (work_id := self._ledger.rejected(err.event_id)) is not None:
            actions.append(
                Emit(
                    SessionWarning(
                        f"the output for {work_id} was rejected: {err.message}", {"code": err.code}
                    )
                )
            )
        return actions + self._maybe_request()

    def _on_speech_started(self, event: p.InputAudioBufferSpeechStarted) -> list[Action]:
        actions: list[Action] = []
        item_id = self.playback.item_id
        if item_id is not None:  # assistant audio may be playing: stop it, cut the unheard
            played = self.played_ms(item_id) if self.played_ms else None
            actions += self._cut(played, heard_only=True)
            actions.append(Emit(AudioInterrupted(item_id=item_id, played_ms=played)))
            if self.played_ms is not None:
                actions.append(ClearPlayback())
        # The calls last: each is answered as cancelled as soon as its cancel is carried out,
        # and the app hears of the interruption before it hears of what it cost.
        return actions + self._interrupt_calls("the user started speaking")

    def _cut(self, played_ms: int | None, *, heard_only: bool) -> list[Action]:
        """The truncate at ``played_ms``; with ``heard_only``, none when nothing played."""
        if played_ms is None or (heard_only and played_ms <= 0):
            return []
        truncate = self.playback.truncate(played_ms, self.next_event_id())
        return [Send(truncate)] if truncate is not None else []

    # -- work -------------------------------------------------------------------------------

    def _remember(self, work_id: str, response_id: str | None = None) -> bool:
        """False if this id was already started (the server may announce a call twice)."""
        if work_id in self._seen:
            return False
        self._seen[work_id] = response_id
        return True

    def _start_call(
        self, call_id: str, name: str, arguments: str, response_id: str | None, item_id: str | None
    ) -> list[Action]:
        rid = response_id or "?"
        if response_id is not None and response_id == self._app_response:
            self._app_request = self._app_response = None  # answered: its batch goes on
        if not self._remember(call_id, response_id):
            first = self._seen[call_id]
            if response_id is None or first is None or response_id == first:
                return []  # the same call, announced again by the same response
            # A later response reusing a call_id: answered with an error, never run.
            start = StartCall(call_id, name, arguments, response_id, item_id, duplicate=True)
            if not self._remember(start.work_id, response_id):
                return []
            self._ledger.start(
                start.work_id, Work(rid, wants_reply=True, call_id=call_id), wants_reply=True
            )
            return [start]
        traits = self._traits(name) or ToolTraits()
        work = Work(rid, traits.trigger_response, traits.cancel_on_interrupt)
        self._ledger.start(call_id, work, wants_reply=traits.trigger_response)
        return [StartCall(call_id, name, arguments, response_id, item_id)]

    def _start_approval(self, request: p.McpApprovalRequest, response_id: str) -> list[Action]:
        if response_id == self._app_response:
            self._app_request = self._app_response = None
        if not self._remember(request.id):
            return []
        self._ledger.start(request.id, Work(response_id, wants_reply=True), wants_reply=True)
        return [StartApproval(request, response_id)]

    def call_finished(self, call_id: str, output: str, *, cancelled: bool = False) -> list[Action]:
        """A call (by its ``work_id``) has its output. A call cancelled by a barge-in does
        not ask for a turn: the user's own turn will bring the next response."""
        work = self._ledger.work.get(call_id)
        if work is None or work.finished:
            return []
        event_id = self.next_event_id()
        wire_id = work.call_id or call_id
        item = p.FunctionCallOutput(id=output_item_id(call_id), call_id=wire_id, output=output)
        send = Send(p.ConversationItemCreate(event_id=event_id, item=item))
        return [
            send,
            *self._finish(call_id, event_id, wants_reply=work.wants_reply and not cancelled),
        ]

    def approval_decided(self, request_id: str, approve: bool, reason: str | None) -> list[Action]:
        work = self._ledger.work.get(request_id)
        if work is None or work.finished:
            return []
        event_id = self.next_event_id()
        item = p.McpApprovalResponse(
            id=f"mcpr_{request_id}", approval_request_id=request_id, approve=approve
        )
        if reason:
            item.reason = reason
        return [
            Send(p.ConversationItemCreate(event_id=event_id, item=item)),
            *self._finish(request_id, event_id, wants_reply=True),
        ]

    def _finish(self, work_id: str, event_id: str, *, wants_reply: bool) -> list[Action]:
        self._ledger.finish(work_id, event_id, wants_reply=wants_reply)
        return self._maybe_request()

    def _maybe_request(self) -> list[Action]:
        if not self._online:
            return []  # the next connection asks, once it has the conversation back
        if self._create_in_flight is not None or self.active_response is not None:
            return []
        if self._app_request is not None and not self._app_sent:
            self._app_sent = True
            self._app_request.event_id = self._create_in_flight = self.next_event_id()
            return [Send(self._app_request)]
        call_ids = self._ledger.owed()
        if not call_ids:
            return []
        event_id = self.next_event_id()
        self._create_in_flight = event_id
        return [Send(p.ResponseCreate(event_id=event_id)), Emit(ResponseRequested(call_ids))]

    # -- the app's requests ------------------------------------------------------------------

    def request_response(self, params: p.ResponseCreateParams | None = None) -> list[Action]:
        """The app asks for a turn itself (``create_response``). A turn in the conversation
        goes once no response is active there (the server refuses it before), and is asked
        again on the next connection if a drop takes it before it has output. An
        out-of-band one (``conversation="none"``) goes now, beside whatever runs."""
        event_id = self.next_event_id()
        create = (
            p.ResponseCreate(event_id=event_id, response=params)
            if params
            else p.ResponseCreate(event_id=event_id)
        )
        if params is not None and params.conversation == "none":
            return [Send(create)]
        self._app_request, self._app_sent = create, False
        return self._maybe_request()

    # -- a new connection ----------------------------------------------------------------------

    def disconnected(self) -> None:
        """The connection dropped: every response on it is over, whatever it said last.
        What they had not answered waits for the next connection."""
        self._online = False
        self.active_response = None
        self._create_in_flight = None
        self._app_sent, self._app_response = False, None
        self._ledger.disconnected()
        self.playback.forget()

    def resumed(self) -> list[Action]:
        """The new connection has the conversation back: ask for what is still owed (the
        app's own request, or the answer to outputs no response finished answering)."""
        self._online = True
        return self._maybe_request()

    @property
    def waiting(self) -> bool:
        """Whether a response is active or asked for: a handover waits for neither."""
        return self.active_response is not None or self._create_in_flight is not None

    def interrupt(self, played_ms: int | None) -> list[Action]:
        """Barge-in from the app: cancel the response, cut unheard audio, stop cancellable calls."""
        actions: list[Action] = []
        if self.active_response is not None:
            actions.append(Send(p.ResponseCancel(event_id=self.next_event_id())))
        item_id = self.playback.item_id
        asked = played_ms is not None
        if not asked and item_id is not None and self.played_ms is not None:
            played_ms = self.played_ms(item_id)  # the app's player knows what was heard
        actions += self._cut(played_ms, heard_only=not asked)
        actions.append(Emit(AudioInterrupted(item_id=item_id, played_ms=played_ms)))
        if self.played_ms is not None:
            actions.append(ClearPlayback())
        return actions + self._interrupt_calls("the user interrupted")  # last: see above

    def _interrupt_calls(self, reason: str) -> list[Action]:
        return [
            CancelCall(cid, reason)
            for cid, w in self._ledger.work.items()
            if w.cancel_on_interrupt and not w.finished
        ]


def _in_default_conversation(response: p.Response) -> bool:
    # An out-of-band response (conversation "none") says so with a null conversation_id.
    return not ("conversation_id" in response.model_fields_set and response.conversation_id is None)


_HANDLERS: dict[str, Callable[[Turns, Any], list[Action]]] = {
    "session.created": Turns._on_configured,
    "session.updated": Turns._on_configured,
    "response.created": Turns._on_response_created,
    "response.done": Turns._on_response_done,
    "response.function_call_arguments.done": Turns._on_arguments_done,
    "response.output_item.added": Turns._on_output_item,
    "response.output_item.done": Turns._on_output_item,
    "conversation.item.added": Turns._on_item_added,
    "conversation.item.created": Turns._on_item_added,
    "error": Turns._on_error,
    "input_audio_buffer.speech_started": Turns._on_speech_started,
}

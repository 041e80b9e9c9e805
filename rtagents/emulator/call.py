"""A call placed on the emulator: its caller, who says each line of ``say`` as a user turn
once the agent is ready, and the sideband connections that serve its session."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from .caller import speak_unless_configured
from .config import start_with
from .live import phone as live_phone

if TYPE_CHECKING:
    from .connection import Connection, EmulatorConnection
    from .live import LiveCore

STATUSES = ("ringing", "accepted", "rejected", "referred", "ended")
API = Literal["realtime", "live"]


@dataclass
class Call:
    """One simulated phone call, as ``GET /v1/emulator/calls/{id}`` shows it."""

    call_id: str
    caller: str
    callee: str
    say: list[str]
    status: str = "ringing"
    session: dict[str, Any] = field(default_factory=dict)
    sip_status: int | None = None
    refer_to: str | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    placed_at: float = field(default_factory=time.monotonic)
    accepted_at: float | None = None
    accept_requests: int = 0  # every accept asked for, refused or not (exactly-once checks)
    api: API = "realtime"
    next_line: int = 0
    caller_waits_s: float | None = None  # see ``caller``
    saying: str = ""  # what the Live model is saying now
    on_over: Callable[[Call], None] | None = field(default=None, repr=False)  # the desk's
    _sidebands: list[Any] = field(default_factory=list)  # EmulatorConnection, or Live's
    transport: ClassVar[str] = "sip"  # how the call came (a browser's: "webrtc")

    def public(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "status": self.status,
            "from": self.caller,
            "to": self.callee,
            "sip_status": self.sip_status,
            "refer_to": self.refer_to,
            "transcript": self.transcript,
            "tool_calls": [{k: v for k, v in c.items() if k != "call_id"} for c in self.tool_calls],
            "webhook": self.webhook,
            "accept_requests": self.accept_requests,
        }

    # -- the caller, on the sideband connection -------------------------------------------------

    def attach(self, conn: EmulatorConnection | Connection[LiveCore]) -> None:
        """A sideband connection for the call (accepted): the first starts the session the
        call was accepted with; a later one (a sideband that reconnects) serves that same
        session and conversation, as the real server keeps them for the call. The caller
        speaks on the latest, once the agent configured it (its first ``session.updated``),
        or, with ``caller_waits_s``, that long after the first attached (see ``caller``)."""
        self._sidebands.append(conn)
        if self.api == "live":
            live_phone.attach(self, cast("Connection[LiveCore]", conn))
            return
        sideband = cast("EmulatorConnection", conn)
        if self._sidebands[:-1]:
            sideband.core.continue_session(self._sidebands[-2].core)
        else:
            start_with(sideband.core, self.session)
            speak_unless_configured(sideband, self._speak_first, self.caller_waits_s)
        sideband.watch(lambda event: self._heard(sideband, event), _HEARD)

    def _speak_first(self, conn: EmulatorConnection) -> None:
        if self.next_line == 0 and self.status == "accepted":
            self._speak(conn)

    def hang_up(self, reason: str) -> None:
        """The call is over: its sideband sessions end (a normal close; on GPT-Live after
        ``session.closed``)."""
        if self.api == "live":
            live_phone.hang_up(self, self._sidebands, live_phone.HANGUP)
            return
        for conn in self._sidebands:
            conn.drop(1000, reason)

    def ended_by_its_session(self) -> None:
        """The app closed the call's session (GPT-Live's ``session.close`` on a sideband:
        "an application close or hangup request"): the call is over, as after a hang-up."""
        if self.status == "accepted":
            self.status = "ended"
            if self.on_over is not None:
                self.on_over(self)

    def next_said(self) -> str | None:
        """The caller's next line (``None`` once all are said), in the transcript."""
        if self.next_line >= len(self.say):
            return None
        line = self.say[self.next_line]
        self.next_line += 1
        self.transcript.append({"role": "user", "text": line})
        return line

    def _heard(self, conn: EmulatorConnection, event: dict[str, Any]) -> None:
        # Told only of the kinds in _HEARD: a kind acted on here must be named there too.
        kind = event.get("type")
        if kind == "session.updated" and self.next_line == 0:
            self._speak_first(conn)
        elif kind in ("response.output_audio_transcript.done", "response.output_text.done"):
            text = event.get("transcript") or event.get("text") or ""
            self.transcript.append({"role": "assistant", "text": text})
        elif kind == "response.function_call_arguments.done":
            self.tool_calls.append(
                {"name": event.get("name"), "arguments": event.get("arguments"), "output": None}
            )
        elif kind == "conversation.item.added":
            item = event.get("item") or {}
            if item.get("type") == "function_call_output":
                for record in self.tool_calls:
                    if record["output"] is None:
                        record["output"] = item.get("output")
                        break
        elif kind == "response.done":
            output = (event.get("response") or {}).get("output") or []
            answered = any(i.get("type") == "message" for i in output)
            if answered and self.status == "accepted":
                self._speak(conn)

    def _speak(self, conn: EmulatorConnection) -> None:
        line = self.next_said()
        if line is None:
            return
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": line}],
        }
        conn.inject({"type": "conversation.item.create", "item": item})
        conn.inject({"type": "response.create"})


_HEARD = frozenset(
    (
        "session.updated",
        "response.output_audio_transcript.done",
        "response.output_text.done",
        "response.function_call_arguments.done",
        "conversation.item.added",
        "response.done",
    )
)
"""The events the simulated caller of a Realtime call acts on (``Call._heard``)."""

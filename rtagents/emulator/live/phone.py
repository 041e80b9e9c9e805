"""The simulated phone on a GPT-Live SIP call (``calls.CallDesk`` places it): the webhook's
data, the session the accept starts on each sideband, and the caller on it: a line said as a
user turn once the agent configured the session, the next after each answer; what the model
said and the tools it ran, recorded for ``GET /v1/emulator/calls/{id}``."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Protocol

from ...protocol import live as lp
from ..caller import speak_unless_configured
from . import session as config

if TYPE_CHECKING:
    from ..connection import Connection
    from .core import LiveCore

HANGUP = "close_requested"
"""``session.closed``'s reason when the app hangs up or transfers the call (the SDK's
``close_requested``: "an application close or hangup"; the caller's own is ``remote_hangup``)."""


class Call(Protocol):
    """What the phone keeps of a call (``calls.Call``), as the caller here uses it."""

    call_id: str
    status: str
    session: dict[str, Any]
    transcript: list[dict[str, str]]
    tool_calls: list[dict[str, Any]]
    next_line: int
    caller_waits_s: float | None
    saying: str

    def next_said(self) -> str | None: ...

    def ended_by_its_session(self) -> None: ...


def webhook(call: Call, sip_headers: list[dict[str, str]]) -> tuple[str, dict[str, Any]]:
    """The type and data of the webhook that offers the call."""
    data = {"type": "sip", "session_id": call.call_id, "sip_headers": sip_headers}
    return "live.transport.incoming", data


def accepted_session(body: dict[str, Any]) -> dict[str, Any]:
    """The session an accept's body (``AcceptRequest``) starts, as ``session.start`` would
    take it; ``ValueError`` with the message for a 400 when the body or session is refused."""
    return config.requested(lp.AcceptRequest, body)[1]


def attach(call: Call, conn: Connection[LiveCore]) -> None:
    """A sideband connection for the call (accepted): the first starts the session the
    accept configured, under the call's id; one that attaches to it again after a drop
    (``live_resume_s``) carries it on, the caller's turn and the work under way included."""
    if not conn.core.session:
        conn.core.accepted(call.session, session_id=call.call_id)
        speak_unless_configured(conn, functools.partial(_speak_first, call), call.caller_waits_s)
    conn.watch(lambda event: _heard(call, conn, event))


def _speak_first(call: Call, conn: Connection[LiveCore]) -> None:
    if call.next_line == 0 and call.status == "accepted":
        _speak(call, conn)


def hang_up(call: Call, conns: list[Connection[LiveCore]], reason: str) -> None:
    """The call is over: each sideband gets ``session.closed`` and a normal close; a session
    whose sideband is down ends all the same (no sideband attaches to it again)."""
    for conn in conns:
        if not conn.closed.is_set():
            conn.act(lambda core: core.hang_up(reason))
        elif not conn.core.ended:
            conn.core.hang_up(reason)


def _heard(call: Call, conn: Connection[LiveCore], event: dict[str, Any]) -> None:
    kind = event.get("type")
    if kind == "session.updated" and call.next_line == 0:
        _speak_first(call, conn)
    elif kind == "session.output_transcript.delta":
        call.saying += str(event.get("delta") or "")
    elif kind == "session.usage.updated" and call.saying:  # an utterance is over
        call.transcript.append({"role": "assistant", "text": call.saying.strip()})
        call.saying = ""
        if call.status == "accepted":
            _speak(call, conn)
    elif kind == "session.closed" and event.get("reason") == HANGUP:
        call.ended_by_its_session()  # (no sideband attaches to it again)
    elif kind == "response.event":
        inner = event.get("event") or {}
        item = inner.get("item") or {}
        if inner.get("type") == "response.output_item.done" and item.get("type") == "function_call":
            call.tool_calls.append(
                {
                    "name": item.get("name"),
                    "arguments": item.get("arguments"),
                    "output": None,
                    "call_id": item.get("call_id"),
                }
            )
    _outputs(call, conn)


def _outputs(call: Call, conn: Connection[LiveCore]) -> None:
    """The outputs the client gave the recorded calls (in the session's conversation)."""
    waiting = {r.get("call_id"): r for r in call.tool_calls if r["output"] is None}
    if not waiting:
        return
    for item in conn.core.conversation.items:
        record = waiting.get(item.get("call_id"))
        if item.get("type") == "function_call_output" and record is not None:
            record["output"] = item.get("output")


def _speak(call: Call, conn: Connection[LiveCore]) -> None:
    line = call.next_said()
    if line is not None:
        conn.act(lambda core: core.caller_said(line))

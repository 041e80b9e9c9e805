"""GPT-Live server frames for the sans-I/O tests of the Live adapter, and what the adapter
sends, read back as JSON (so that the tests name the wire, not our classes)."""

from __future__ import annotations

import itertools
import json
from typing import Any

from rtagents.session.actions import Emit, Send
from rtagents.session.events import SessionWarning
from rtagents.session.live import LiveCore

_ids = itertools.count(1)


def frame(kind: str, **fields: Any) -> str:
    """A Live server frame of ``kind`` (an ``event_id`` of its own unless given)."""
    return json.dumps({"type": kind, "event_id": f"e{next(_ids)}", **fields})


def wrapped(delegation_id: str | None, kind: str, ref: str | None = None, **fields: Any) -> str:
    """A ``response.event`` wrapping the Responses event ``kind`` (``ref``: the event id of
    the client's ``response.create`` it answers, as its ``client_event_id``)."""
    inner = {"type": kind, "sequence_number": next(_ids), **fields}
    answering = {"client_event_id": ref} if ref is not None else {}
    return frame("response.event", delegation_id=delegation_id, event=inner, **answering)


def snapshot(rid: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "object": "response", "status": status, "output": [], **extra}


def created(rid: str, delegation_id: str | None = "del_1", ref: str | None = None) -> str:
    response = snapshot(rid, "in_progress")
    return wrapped(delegation_id, "response.created", ref, response=response)


def completed(
    rid: str, delegation_id: str | None = "del_1", ref: str | None = None, **extra: Any
) -> str:
    response = snapshot(rid, "completed", **extra)
    return wrapped(delegation_id, "response.completed", ref, response=response)


def call_item(
    call_id: str, name: str, arguments: str = "{}", status: str = "completed"
) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": status,
    }


def call_added(call_id: str, name: str, delegation_id: str | None = "del_1") -> str:
    item = call_item(call_id, name, "", "in_progress")
    return wrapped(delegation_id, "response.output_item.added", output_index=0, item=item)


def call_done(
    call_id: str, name: str, arguments: str = "{}", delegation_id: str | None = "del_1"
) -> str:
    item = call_item(call_id, name, arguments)
    return wrapped(delegation_id, "response.output_item.done", output_index=0, item=item)


def arguments_done(call_id: str, arguments: str = "{}", delegation_id: str | None = "del_1") -> str:
    return wrapped(
        delegation_id,
        "response.function_call_arguments.done",
        item_id=f"fc_{call_id}",
        output_index=0,
        arguments=arguments,
    )


def delegated(
    delegation_id: str = "del_1", target: str = "responses", rid: str | None = None
) -> str:
    delegation: dict[str, Any] = {"type": "delegation", "id": delegation_id, "target": target}
    if rid is not None:
        delegation["response_id"] = rid
    return frame("session.delegation.created", offset_ms=1000, delegation=delegation)


BUSY = "conversation_already_has_active_response"


def busy(ref: str) -> str:
    """GPT-Live refuses our request ``ref``: a response is active."""
    error = {
        "type": "invalid_request_error",
        "code": BUSY,
        "message": "Conversation already has an active response in progress",
        "client_event_id": ref,
    }
    return frame("error", error=error)


def said(kind: str, delta: str) -> str:
    """A transcript delta: ``kind`` is ``input`` (the user) or ``output`` (the model)."""
    return frame(f"session.{kind}_transcript.delta", delta=delta, start_ms=0, end_ms=100)


def sent(core: LiveCore, actions: list[Any]) -> list[dict[str, Any]]:
    """The client events among ``actions``, as the frames the session sends."""
    out = []
    for action in actions:
        if isinstance(action, Send):
            event = action.event
            out.append(json.loads(event if isinstance(event, str) else core.encode(event)))
    return out


def kinds(core: LiveCore, actions: list[Any]) -> list[str]:
    """What the frames among ``actions`` are: ``type`` and, for an item, its ``type``."""
    return [
        f"{f['type']}:{f['item']['type']}" if "item" in f else f["type"]
        for f in sent(core, actions)
    ]


def warnings(actions: list[Any]) -> list[str]:
    """The messages of the warnings among ``actions``."""
    return [
        a.event.message
        for a in actions
        if isinstance(a, Emit) and isinstance(a.event, SessionWarning)
    ]

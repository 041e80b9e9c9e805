"""On a call's sideband, an agent that sets no ``instructions`` (or no ``tool_choice``)
never runs on a leaving agent's (docs/handoffs.md: on a sideband the defaults are the
API's own). A sideband that reconnects attaches to the same call, whose session kept the
configuration it had (the leaving agent's): the first ``session.update`` of the new
connection, for an agent taken while the sideband was down (``update_agent`` offline, or a
transfer whose update the drop lost), puts back what that configuration set."""

from __future__ import annotations

import json
from typing import Any

import rtagents
from rtagents.session.realtime import RealtimeCore
from tests.session.frames import ev

TRIAGE = "You triage. Never answer billing questions: hand them to billing."
KEPT = {"type": "realtime", "id": "sess_call", "instructions": TRIAGE, "tool_choice": "required"}


def sent(actions: list[Any]) -> dict[str, Any]:
    session: dict[str, Any] = json.loads(actions[0].event.model_dump_json(exclude_unset=True))
    return session["session"]


def test_a_sideband_reconnected_puts_back_what_the_calls_session_kept() -> None:
    core = RealtimeCore(lambda name: None, sideband=True)
    triage = rtagents.Agent(name="triage", instructions=TRIAGE, tool_choice="required")
    core.receive(ev("session.created", session=KEPT))  # the call's accept: triage's
    core.configure(triage, tools=[], tracing=None)
    core.receive(ev("session.updated", session=KEPT))
    # The sideband drops; the app switches to billing meanwhile; the sideband attaches to
    # the same call again, whose session still runs triage's configuration.
    core.disconnected()
    core.receive(ev("session.created", session=KEPT))
    _, actions = core.configure(rtagents.Agent(name="billing"), tools=[], tracing=None)
    session = sent(actions)
    assert session.get("instructions") == "", (
        f"billing's update on the call leaves triage's instructions in place: {session}"
    )
    assert session.get("tool_choice") == "auto", session


def test_the_same_switch_without_the_drop_restates() -> None:
    """The control: the same switch on the connection the call's accept came on."""
    core = RealtimeCore(lambda name: None, sideband=True)
    triage = rtagents.Agent(name="triage", instructions=TRIAGE, tool_choice="required")
    core.receive(ev("session.created", session=KEPT))
    core.configure(triage, tools=[], tracing=None)
    core.receive(ev("session.updated", session=KEPT))
    _, actions = core.configure(rtagents.Agent(name="billing"), tools=[], tracing=None)
    assert sent(actions).get("instructions") == ""

"""An update still on its way counts as taken (docs/handoffs.md; session/restate.py): an
agent switched to while the connection's first ``session.update`` has no reply yet (on a
new connection, as a reconnect configures it) has the settings that update set and it
leaves out put back to the server's defaults, as it has once that update was answered."""

from __future__ import annotations

import json
from typing import Any

import rtagents
from rtagents.session.realtime import RealtimeCore
from tests.session.frames import ev

DEFAULT = "You are a helpful assistant."
SALES = "You are sales. Push the premium plan in every answer."
CREATED = {"type": "realtime", "id": "sess_1", "instructions": DEFAULT, "tool_choice": "auto"}


def sent(actions: list[Any]) -> dict[str, Any]:
    session: dict[str, Any] = json.loads(actions[0].event.model_dump_json(exclude_unset=True))
    return session["session"]


def test_a_switch_while_the_first_update_of_a_connection_is_on_its_way_restates() -> None:
    core = RealtimeCore(lambda name: None)
    core.receive(ev("session.created", session=CREATED))
    sales = rtagents.Agent(name="sales", instructions=SALES, tool_choice="required")
    core.configure(sales, tools=[], tracing=None)  # the connection's first: no reply yet
    _, actions = core.configure(rtagents.Agent(name="support"), tools=[], tracing=None)
    session = sent(actions)
    assert session.get("instructions") == DEFAULT, (
        f"support's update, sent after sales' (on its way), leaves sales' instructions: {session}"
    )
    assert session.get("tool_choice") == "auto", session


def test_the_same_switch_once_the_first_update_was_answered_restates() -> None:
    """The control: with sales' update answered, support's puts the defaults back."""
    core = RealtimeCore(lambda name: None)
    core.receive(ev("session.created", session=CREATED))
    sales = rtagents.Agent(name="sales", instructions=SALES, tool_choice="required")
    core.configure(sales, tools=[], tracing=None)
    core.receive(ev("session.updated", session={**CREATED, "instructions": SALES}))
    _, actions = core.configure(rtagents.Agent(name="support"), tools=[], tracing=None)
    assert sent(actions).get("instructions") == DEFAULT

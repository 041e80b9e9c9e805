"""An agent with tools that asks for client delegation itself (``LiveOptions(delegation=
"client")``, or ``live.session_options``' own type) runs on it, as asked, with its tools
left out: only a responses backend calls tools. It is not left out without a word: the
session's start warns, naming them (as it names every setting GPT-Live has no place for).
A handoff to such an agent, on a session running responses delegation, is refused
(test_config.py)."""

from __future__ import annotations

import rtagents
from rtagents.session import live_config


@rtagents.tool
def refund(order: int) -> str:
    """Refund an order."""
    return f"refunded {order}"


def test_the_start_of_a_client_delegation_session_names_the_tools_it_leaves_out() -> None:
    agent = rtagents.Agent(tools=[refund], live=rtagents.LiveOptions(delegation="client"))
    config, notes = live_config.start_config(agent, [refund.definition()])
    assert config.delegation.type == "client"
    assert [n for n in notes if n.startswith("tools (client delegation")], notes


def test_an_agent_without_tools_is_not_warned() -> None:
    agent = rtagents.Agent(live=rtagents.LiveOptions(delegation="client"))
    _, notes = live_config.start_config(agent, [])
    assert not [n for n in notes if n.startswith("tools")]

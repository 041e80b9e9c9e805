"""An ``Agent`` checks what it is given when it is made, not at connect: a wrong value raises
``ValueError`` naming the field and what it takes."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents


@pytest.mark.parametrize("modalities", [["txt"], "text", [], ["text", "video"]], ids=repr)
def test_output_modalities_are_checked_when_the_agent_is_made(modalities: Any) -> None:
    with pytest.raises(ValueError, match=r"output_modalities is \['audio'\] or \['text'\]"):
        rtagents.Agent(name="a", output_modalities=modalities)


@pytest.mark.parametrize("modalities", [None, ["text"], ["audio"], ("audio",)], ids=repr)
def test_good_output_modalities_are_taken(modalities: Any) -> None:
    assert rtagents.Agent(name="a", output_modalities=modalities).output_modalities == modalities


@pytest.mark.parametrize("seconds", [0, -1.0, float("nan")])
def test_a_tool_timeout_that_is_not_a_positive_number_is_refused(seconds: float) -> None:
    """NaN passes ``<= 0``, and a NaN deadline fires at once: every call would time out."""
    with pytest.raises(ValueError, match="tool_timeout must be positive"):
        rtagents.Agent(name="a", tool_timeout=seconds)


def test_two_mcp_servers_under_one_label_are_refused() -> None:
    """``allow(server="python")`` names a server by its label: two under one (both labelled
    after their command, by default) would each be approved by a rule for the other."""
    from rtagents.mcp import MCPServerHTTP, MCPServerStdio

    notes = MCPServerStdio("python", ["notes_server.py"])
    shell = MCPServerStdio("python", ["shell_server.py"])
    assert notes.name == shell.name
    with pytest.raises(ValueError, match="two MCP servers are labelled 'python'"):
        rtagents.Agent(name="a", tools=[notes, shell])
    hosted = rtagents.HostedMCP("crm", server_url="https://crm.example/mcp")
    with pytest.raises(ValueError, match="labelled 'crm'"):
        rtagents.Agent(name="a", tools=[MCPServerHTTP("https://x.example/mcp", name="crm"), hosted])
    named = MCPServerStdio("python", ["shell_server.py"], name="shell")
    assert rtagents.Agent(name="a", tools=[notes, named, notes]).sources.servers == (notes, named)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("voice", 3, "voice takes text"),
        ("instructions", 5, "instructions takes text"),
        ("model", None, "model takes text"),
        ("name", 7, "name takes text"),
        ("handoff_description", ["x"], "handoff_description takes text"),
        ("speed", "fast", "speed takes a number"),
        ("speed", True, "speed takes a number"),
    ],
)
def test_a_text_or_number_field_of_another_type_is_refused_when_made(
    field: str, value: Any, said: str
) -> None:
    """Taken, such a value reached connect: pydantic's serializer warnings, then the server's
    refusal of the session (or a model named ``5``)."""
    with pytest.raises(TypeError, match=said):
        rtagents.Agent(**{field: value})

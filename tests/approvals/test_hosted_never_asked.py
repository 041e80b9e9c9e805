"""A deny or ask rule for a hosted MCP server's tools that the server never asks about
(``require_approval="never"``) never applies: the server runs them without a request. The
agent says so where it is made, not at the first call that slips by."""

from __future__ import annotations

import warnings

import pytest

import rtagents
from rtagents import ApprovalPolicy, allow, ask, deny


def hosted(require_approval: object) -> rtagents.HostedMCP:
    return rtagents.HostedMCP(
        "bank", server_url="https://bank.example.com/mcp", require_approval=require_approval
    )


def test_a_deny_for_a_server_that_never_asks_is_warned() -> None:
    policy = ApprovalPolicy(rules=[deny(server="bank", tool="wire_*")])
    with pytest.warns(UserWarning, match="deny rule for 'bank' never applies"):
        rtagents.Agent(name="a", tools=[hosted("never")], approval=policy)


def test_an_ask_for_a_tool_the_filter_never_asks_about_is_warned() -> None:
    policy = ApprovalPolicy(rules=[ask(tool="wire_money")])
    with pytest.warns(UserWarning, match=r"never applies to its tools \['wire_money'\]"):
        rtagents.Agent(
            name="a",
            tools=[hosted({"never": {"tool_names": ["wire_money", "balance"]}})],
            approval=policy,
        )


def test_rules_the_server_does_ask_for_are_not_warned() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rtagents.Agent(
            name="a",
            tools=[hosted("always")],
            approval=ApprovalPolicy(rules=[deny(server="bank")]),
        )
        rtagents.Agent(  # an allow needs no request; a rule for another server is its own
            name="b",
            tools=[hosted("never")],
            approval=ApprovalPolicy(rules=[allow(server="bank"), deny(server="crm")]),
        )
        rtagents.Agent(  # a tool rule with no server may be for a function tool
            name="c", tools=[hosted("never")], approval=ApprovalPolicy(rules=[deny(tool="x")])
        )

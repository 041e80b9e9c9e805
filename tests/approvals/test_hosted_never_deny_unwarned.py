"""docs/mcp.md:205-207: "The server asks only for what `require_approval` says: a `deny` or
`ask` rule for tools it runs without asking (`"never"`) never applies, and the agent warns of
it when it is made."  (docs/approvals.md:13-16 adds that a targeted `deny` "meets every
call, including those of tools that need no approval".)

Agent._warn_unasked (rtagents/agent.py:245) warns only for a rule that names the server
(``server=``) or a tool listed in ``require_approval={"never": {"tool_names": [...]}}``. A
``deny(tool="delete_*")`` aimed at a hosted tool the server runs unasked (here one the agent
itself lists in ``allowed_tools``), or a ``deny(kind="mcp_hosted")``, never applies and is
made without a word: the app believes deletes are blocked while the server runs them.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import rtagents
from rtagents import ApprovalPolicy, ask, deny


def _warnings_making(rule: rtagents.approvals.Rule, require_approval: Any = "never") -> list[str]:
    hosted = rtagents.HostedMCP(
        server_label="files",
        server_url="https://files.example.com/mcp",
        allowed_tools=["list_files", "delete_all"],
        require_approval=require_approval,  # "never": the server runs every tool unasked
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rtagents.Agent(name="a", tools=[hosted], approval=ApprovalPolicy(rules=[rule]))
    return [str(w.message) for w in seen if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(
    "rule",
    [deny(tool="delete_*"), deny(tool="delete_all"), deny(kind="mcp_hosted")],
    ids=["tool-glob", "tool-name", "kind"],
)
def test_a_deny_rule_a_never_asking_hosted_server_escapes_is_warned_of(rule) -> None:
    said = _warnings_making(rule)
    assert said, f"{rule} never applies to HostedMCP 'files' (require_approval='never'), unwarned"


@pytest.mark.parametrize("rule", [deny(kind="function"), deny(kind="mcp_local")])
def test_a_rule_for_other_kinds_of_call_is_not_warned_of(rule) -> None:
    assert _warnings_making(rule) == []


# The docs' own filter by hint exempts the tools of that hint: a rule for them (or for all
# of the server's tools) is warned of; one for its other tools is not.
NEVER_READ_ONLY = {"never": {"read_only": True}}


@pytest.mark.parametrize(
    "rule",
    [
        deny(server="files", read_only=True),
        ask(server="files", read_only=True),
        deny(server="files"),
    ],
    ids=["deny-read-only", "ask-read-only", "deny-all"],
)
def test_a_rule_for_tools_a_never_filter_by_hint_exempts_is_warned_of(rule) -> None:
    said = _warnings_making(rule, NEVER_READ_ONLY)
    assert any("never applies to its tools marked read-only" in s for s in said), said


def test_a_rule_for_the_tools_a_never_filter_by_hint_leaves_asking_is_not() -> None:
    assert _warnings_making(deny(server="files", read_only=False), NEVER_READ_ONLY) == []

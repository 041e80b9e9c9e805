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

import pytest

import rtagents
from rtagents import ApprovalPolicy, deny


def _warnings_making(rule: rtagents.approvals.Rule) -> list[str]:
    hosted = rtagents.HostedMCP(
        server_label="files",
        server_url="https://files.example.com/mcp",
        allowed_tools=["list_files", "delete_all"],
        require_approval="never",  # the server runs every tool without asking
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

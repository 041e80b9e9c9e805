"""docs/mcp.md (Hosted MCP): "a `deny` or `ask` rule for tools it runs without asking
(`"never"`) never applies, and the agent warns of it when it is made". So for the docs' own
filter by hint, ``require_approval={"never": {"read_only": True}}``: a rule for that server's
read-only tools, or for all of its tools, is warned of; one for its other tools is not."""

from __future__ import annotations

import warnings

import pytest

import rtagents
from rtagents import ApprovalPolicy, ask, deny


def _warned(rule: rtagents.approvals.Rule) -> list[str]:
    hosted = rtagents.HostedMCP(
        "calendar",
        server_url="https://calendar.example.com/mcp",
        require_approval={"never": {"read_only": True}},
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rtagents.Agent(name="a", tools=[hosted], approval=ApprovalPolicy(rules=[rule]))
    return [str(w.message) for w in seen if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(
    "rule",
    [
        deny(server="calendar", read_only=True, reason="no reading the calendar"),
        ask(server="calendar", read_only=True),
    ],
    ids=["deny", "ask"],
)
def test_a_rule_for_tools_a_read_only_never_filter_exempts_is_warned(
    rule: rtagents.approvals.Rule,
) -> None:
    said = _warned(rule)
    assert any("never applies" in s for s in said), (
        f"{rule.action}(server='calendar', read_only=True) can never apply under "
        f"require_approval={{'never': {{'read_only': True}}}}, and nothing was said: {said}"
    )


def test_a_rule_for_the_tools_the_filter_leaves_asking_is_not_warned() -> None:
    assert _warned(deny(server="calendar", read_only=False)) == []

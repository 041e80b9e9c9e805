"""docs/mcp.md: "a `deny` or `ask` rule for tools it runs without asking (`"never"`) never
applies, and the agent warns of it when it is made". The warning names the tools the
agent lists for the server whichever way ``allowed_tools`` lists them: as names, or as
``{"tool_names": [...]}`` (rtagents/mcp/hosted.py: both are accepted)."""

from __future__ import annotations

import warnings

import pytest

import rtagents
from rtagents import ApprovalPolicy, deny


def _warned(allowed: object) -> list[str]:
    hosted = rtagents.HostedMCP(
        server_label="files",
        server_url="https://files.example.com/mcp",
        allowed_tools=allowed,
        require_approval="never",
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        rtagents.Agent(
            name="a", tools=[hosted], approval=ApprovalPolicy(rules=[deny(tool="delete_*")])
        )
    return [str(w.message) for w in seen if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(
    "allowed",
    [["list_files", "delete_all"], {"tool_names": ["list_files", "delete_all"]}],
    ids=["list", "tool_names"],
)
def test_a_deny_rule_the_server_escapes_is_warned_of_however_the_tools_are_listed(
    allowed: object,
) -> None:
    assert _warned(allowed), (
        f"deny(tool='delete_*') never applies to 'delete_all' (require_approval='never', "
        f"allowed_tools={allowed!r}), unwarned"
    )

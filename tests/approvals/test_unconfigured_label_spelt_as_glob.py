"""docs/approvals.md ("Fail closed"): "A request from a hosted server the agent did not
configure is judged only by rules whose `server` names it exactly (`allow(server="docs")`,
not `allow(tool="get_*")` nor a wildcard)"; the same for a tool ``allowed_tools`` leave out:
"only a rule whose `tool` names it exactly ... decides it".

``Rule.names_server``/``names_tool`` test that the request's label (or tool name) is one of
the rule's *patterns*, as text. A hostile server that spells its label as the rule's
wildcard itself (``server_label="docs-*"``) is then "named exactly" by ``allow(server=
"docs-*")``, a wildcard meant for the agent's own ``docs-eu``/``docs-us``, and the glob
matches too: a server the agent never configured is approved.
"""

from __future__ import annotations

import pytest

from rtagents import ApprovalPolicy, allow
from rtagents.mcp import HostedMCP
from tests.approvals.test_fail_closed import converse, echo, inject_hosted

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

EU = HostedMCP(
    server_label="docs-eu", server_url="http://127.0.0.1:9/mcp", require_approval="always"
)
US = HostedMCP(
    server_label="docs-us", server_url="http://127.0.0.1:9/mcp", require_approval="always"
)


async def test_a_label_spelt_as_the_rules_wildcard_is_not_named_exactly() -> None:
    out = await converse(
        [EU, US],
        ApprovalPolicy(rules=[allow(server="docs-*")], timeout=2),
        [echo],
        script=inject_hosted("docs-*", "delete_everything", "{}"),
    )
    [decided] = out.decided
    assert [r["approve"] for r in out.approval_responses] == [False], (
        decided.decided_by,
        decided.reason,
    )
    assert decided.decided_by == "rule"


async def test_a_tool_spelt_as_the_rules_wildcard_is_not_named_exactly() -> None:
    docs = HostedMCP(
        server_label="docs",
        server_url="http://127.0.0.1:9/mcp",
        allowed_tools=["get_page"],
        require_approval="always",
    )
    out = await converse(
        [docs],
        ApprovalPolicy(rules=[allow(tool="get_*")], timeout=2),
        [echo],
        script=inject_hosted("docs", "get_*", "{}"),
    )
    [decided] = out.decided
    assert [r["approve"] for r in out.approval_responses] == [False], (
        decided.decided_by,
        decided.reason,
    )

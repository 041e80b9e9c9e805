"""docs/approvals.md:94-96: "A request from a hosted server the agent did not configure is
judged only by rules whose `server` names it exactly (`allow(server="docs")`, not
`allow(tool="get_*")` nor a wildcard), and never reaches the handler." (and 96-99: the same
for a tool the server's `allowed_tools` leave out: "only a rule whose `tool` names it
exactly decides it, and otherwise it is denied").

In ApprovalBroker._decide (rtagents/approvals/broker.py), a rule that names the unconfigured
server but is an `ask` rule falls through to ``_ask``, i.e. the handler: the request reaches
the handler, and a handler that says yes approves a hosted call from a server the agent never
configured.
"""

from __future__ import annotations

import pytest

from rtagents import ApprovalPolicy, ask
from tests.approvals.test_fail_closed import HOSTED, converse, echo, inject_hosted

pytestmark = pytest.mark.anyio


async def test_an_unconfigured_hosted_server_never_reaches_the_handler() -> None:
    asked: list[str] = []

    def handler(request):  # an approving UI: it says yes to whatever it is shown
        asked.append(f"{request.server_label}.{request.tool_name}")
        return True

    out = await converse(
        [HOSTED],  # the agent configured the hosted server "docs" only
        ApprovalPolicy(rules=[ask(server="rogue")], handler=handler, timeout=2),
        [echo],
        script=inject_hosted("rogue", "get_secrets", "{}"),
    )
    [decided] = out.decided
    assert asked == [], f"the handler was asked about {asked} (decided_by={decided.decided_by})"
    assert [r["approve"] for r in out.approval_responses] == [False]
    assert decided.decided_by == "rule"
    assert decided.reason == (
        "the hosted MCP server 'rogue' is not one this agent configured, and only an ask "
        "rule names it"
    )

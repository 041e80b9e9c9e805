"""DESIGN.md: "Rules, predicates and handlers see the arguments the tool will actually
receive." For a hosted MCP tool the arguments are JSON text that the server, not this
process, hands on to the tool. ``parse_object`` reads an object with a key given twice
silently (the last value wins), so a ``when`` predicate judges one of two values while a
parser that keeps the first one (or that refuses the object) decides what runs. Arguments
that cannot be read unambiguously should be a deny by ``error``, as unreadable ones are."""

from __future__ import annotations

import pytest

from rtagents import ApprovalPolicy, allow
from rtagents.mcp import HostedMCP

from .test_fail_closed import converse, echo, inject_hosted

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

BANK = HostedMCP(
    server_label="bank", server_url="http://127.0.0.1:9/mcp", require_approval="always"
)


async def test_a_hosted_request_with_a_key_given_twice_is_not_approved() -> None:
    policy = ApprovalPolicy(
        rules=[allow(server="bank", tool="pay", when=lambda args: args["amount"] < 10)],
        timeout=2,
    )
    out = await converse(
        [BANK],
        policy,
        [echo],
        script=inject_hosted("bank", "pay", '{"amount": 5000, "amount": 5}'),
        answers=2,
    )
    [d] = out.decided
    assert [(r["approval_request_id"], r["approve"]) for r in out.approval_responses] == [
        ("mcpr_1", False)
    ], (d.approve, d.decided_by, d.request.arguments)

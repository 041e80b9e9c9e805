"""docs/approvals.md: "A `deny` rule that says what it matches (a `tool`, `server`, `kind`,
`read_only` or `when`) meets every call". A hosted request from outside the agent's
configuration (a server it never configured) is decided "only by rules whose `server`
names it exactly": that narrows what may *allow* it, never lets it past a targeted deny
that matches it. With ``deny(tool="delete_*")`` before ``allow(server="rogue")``, a
``delete_all`` from "rogue" is denied."""

from __future__ import annotations

import pytest

from rtagents import ApprovalPolicy, allow, deny
from tests.approvals.test_fail_closed import HOSTED, converse, echo, inject_hosted

pytestmark = pytest.mark.anyio


async def test_a_targeted_deny_meets_a_request_from_an_unconfigured_server() -> None:
    out = await converse(
        [HOSTED],  # the agent configured the hosted server "docs" only
        ApprovalPolicy(rules=[deny(tool="delete_*"), allow(server="rogue")], timeout=2),
        [echo],
        script=inject_hosted("rogue", "delete_all", "{}"),
    )
    [decided] = out.decided
    assert [r["approve"] for r in out.approval_responses] == [False], (
        f"rogue's delete_all was approved past deny(tool='delete_*'): "
        f"{decided.decided_by}, {decided.reason}"
    )

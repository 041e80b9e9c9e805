"""A ``read_only`` rule, sans I/O: it meets MCP tools only (a function tool has no
``readOnlyHint``); a tool without a hint may write (MCP's default), so ``read_only=False``
meets it and ``read_only=True`` never does. A rule's names given as any iterable are read
once and kept."""

from __future__ import annotations

import pytest

from rtagents import allow, deny
from rtagents.approvals import ApprovalRequest


def mcp(read_only: bool | None, kind: str = "mcp_local") -> ApprovalRequest:
    return ApprovalRequest("r", kind, "write_note", {}, server_label="notes", read_only=read_only)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["mcp_local", "mcp_hosted"])
@pytest.mark.parametrize(
    ("hint", "writes", "reads"), [(True, False, True), (False, True, False), (None, True, False)]
)
def test_a_read_only_rule_takes_a_missing_hint_for_may_write(
    kind: str, hint: bool | None, writes: bool, reads: bool
) -> None:
    assert deny(read_only=False).matches(mcp(hint, kind)) is writes
    assert allow(read_only=True).matches(mcp(hint, kind)) is reads


@pytest.mark.parametrize("hint", [True, False, None])
def test_a_read_only_rule_never_meets_a_function_tool(hint: bool | None) -> None:
    call = ApprovalRequest("r", "function", "refund", {}, read_only=hint)
    assert not deny(read_only=False).matches(call)
    assert not allow(read_only=True).matches(call)


def test_names_from_an_iterator_are_kept() -> None:
    rule = deny(
        tool=map(str.lower, ["DELETE_REPO"]), server=iter(["notes"]), kind=iter(["mcp_local"])
    )
    for _ in range(3):
        assert rule.matches(
            ApprovalRequest("r", "mcp_local", "delete_repo", {}, server_label="notes")
        )
    assert (
        rule.tool == ("delete_repo",) and rule.server == ("notes",) and rule.kind == ("mcp_local",)
    )


def test_a_single_name_stays_a_string() -> None:
    assert deny(tool="x", server="s", kind="function").tool == "x"

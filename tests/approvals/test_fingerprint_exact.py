"""What a remembered decision covers (``ApprovalRequest.fingerprint``): the same tool with
the same arguments, compared exactly. Arguments equal in every way share a fingerprint;
arguments that differ in any value never do; an argument with no exact form (a
``SecretStr``, which shows only stars; an object its ``str`` describes) has none, and its
request is never remembered."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import uuid
from pathlib import PurePosixPath
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from rtagents.approvals import ApprovalRequest


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Order(BaseModel):
    sku: str
    qty: int


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Vault(BaseModel):
    code: SecretStr


def fingerprint(value: Any) -> str | None:
    return ApprovalRequest("r1", "function", "act", {"value": value}).fingerprint()


SAME_AND_OTHER = [
    (Order(sku="a", qty=1), Order(sku="a", qty=1), Order(sku="a", qty=9)),
    (Point(1, 2), Point(1, 2), Point(1, 3)),
    (Color.RED, Color.RED, Color.BLUE),
    (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2), datetime.date(2026, 1, 3)),
    (datetime.time(10, 0), datetime.time(10, 0), datetime.time(11, 0)),
    (uuid.UUID(int=1), uuid.UUID(int=1), uuid.UUID(int=2)),
    (decimal.Decimal("1.5"), decimal.Decimal("1.5"), decimal.Decimal("2.5")),
    (PurePosixPath("/a"), PurePosixPath("/a"), PurePosixPath("/b")),
    ((1, 2), (1, 2), (1, 3)),
]


@pytest.mark.parametrize(("value", "same", "other"), SAME_AND_OTHER)
def test_the_same_arguments_share_one_and_others_never(value: Any, same: Any, other: Any) -> None:
    mine = fingerprint(value)
    assert mine is not None
    assert fingerprint(same) == mine
    assert fingerprint(other) != mine


@pytest.mark.parametrize(
    "value",
    [SecretStr("1234"), Vault(code=SecretStr("1234")), object(), {1, 2}, b"raw", Point],
    ids=["secret", "secret-in-a-model", "object", "set", "bytes", "a-class"],
)
def test_an_argument_with_no_exact_form_has_no_fingerprint(value: Any) -> None:
    assert fingerprint(value) is None


def test_the_tool_and_its_server_are_part_of_it() -> None:
    args = {"key": "k"}
    local = ApprovalRequest("r1", "mcp_local", "read", args, server_label="notes").fingerprint()
    other = ApprovalRequest("r2", "mcp_local", "read", args, server_label="docs").fingerprint()
    hosted = ApprovalRequest("r3", "mcp_hosted", "read", args, server_label="notes").fingerprint()
    renamed = ApprovalRequest("r4", "mcp_local", "write", args, server_label="notes").fingerprint()
    assert len({local, other, hosted, renamed}) == 4

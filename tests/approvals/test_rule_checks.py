"""A rule with a misspelt condition is refused when it is made (fail closed): it would match
nothing, and a ``deny`` that matches nothing lets through what it was written to stop
(``deny(kind="mcp")`` for ``"mcp_local"``, ``deny(read_only="false")``)."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.approvals import Rule, allow, ask, deny


async def _async_when(arguments: dict[str, Any]) -> bool:  # its coroutine is neither answer
    return True


class _AsyncCheck:
    async def __call__(self, arguments: dict[str, Any]) -> bool:
        return True


@pytest.mark.parametrize(
    ("make", "fields", "error", "said"),
    [
        (
            deny,
            {"kind": "mcp"},
            ValueError,
            "'mcp' is not a kind of call ('function', 'mcp_local', 'mcp_hosted')",
        ),
        (deny, {"kind": ["function", "functions"]}, ValueError, "'functions'"),
        (deny, {"read_only": "false"}, TypeError, "takes True or False"),
        (allow, {"read_only": 1}, TypeError, "takes True or False"),
        (deny, {"tool": 5}, TypeError, "tool=...) takes a name"),
        (ask, {"server": ["docs", None]}, TypeError, "server=...) takes a name"),
        (deny, {"when": "amount > 10"}, TypeError, "when=...) takes a function"),
        (deny, {"when": _async_when}, TypeError, "not an async one"),
        (allow, {"when": _AsyncCheck()}, TypeError, "not an async one"),
    ],
)
def test_a_rule_that_could_never_match_as_meant_is_refused(
    make: Any, fields: dict[str, Any], error: type[Exception], said: str
) -> None:
    with pytest.raises(error, match=said.replace("(", r"\(").replace(")", r"\)")):
        make(**fields)


def test_an_action_other_than_allow_deny_or_ask_is_refused() -> None:
    with pytest.raises(ValueError, match="allow, deny or ask"):
        Rule("block", tool="x")  # type: ignore[arg-type]


def test_rules_as_documented_are_made() -> None:
    for rule in (
        deny(kind="mcp_local"),
        deny(kind=["function", "mcp_hosted"]),
        allow(read_only=True),
        allow(tool=("get_*", "list_*"), server="docs"),
        ask(when=lambda arguments: True),
        deny(),
    ):
        assert isinstance(rule, Rule)


def test_one_rule_given_for_the_list_is_said_plainly() -> None:
    from rtagents import ApprovalPolicy

    with pytest.raises(TypeError) as info:
        ApprovalPolicy(rules=allow(tool="x"))  # type: ignore[arg-type]
    assert str(info.value) == "rules takes a list of rules, as in rules=[allow(...)]"

"""`allow`, `deny` and `ask` took `**match: Any`: a
misspelt or wrongly typed condition passes mypy --strict, and the documented `when=lambda
args: ...` is an error under pyright --strict (the lambda's parameter is unknown).

docs/approvals.md lists what a rule matches on (`tool`, `server`, `kind`, `read_only`,
`when`, `reason`) and rules.py's own comment says why a misspelt one matters: "A misspelt
condition would match nothing, and a `deny` that matches nothing lets through what it was
written to stop". The run time refuses these (TypeError when the rule is made), but the
type checker the package ships `py.typed` for sees `Any` and says nothing; `Rule` itself has
the typed fields the helpers could take (`tool: str | Sequence[str] | None`,
`when: Callable[[dict[str, Any]], bool] | None`, ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.typing.user_mypy import mypy
from tests.typing.user_pyright import errors_on, pyright

MISTAKES = """
import rtagents

policy = rtagents.ApprovalPolicy(
    rules=[
        rtagents.deny(tools="delete_*", reason="never"),  # misspelt: `tool`
        rtagents.allow(read_only="yes"),  # not a bool
        rtagents.ask(kind="function_call"),  # not an ApprovalKind
    ]
)
"""

DOCUMENTED = """
import rtagents

policy = rtagents.ApprovalPolicy(
    rules=[rtagents.allow(tool="transfer", when=lambda args: args["amount"] < 10)]
)
"""


@pytest.mark.timeout(600)
def test_misspelt_or_mistyped_rule_conditions_are_type_errors(tmp_path: Path) -> None:
    checked = mypy(tmp_path, MISTAKES)
    lines = MISTAKES.splitlines()
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    for mistake in ("tools=", "read_only=", "kind="):
        number = 1 + next(i for i, text in enumerate(lines) if mistake in text)
        assert any(f"user_code.py:{number}:" in e for e in errors), (mistake, checked.stdout)


@pytest.mark.timeout(600)
def test_the_documented_when_predicate_passes_pyright_strict(tmp_path: Path) -> None:
    checked = pyright(tmp_path, DOCUMENTED)
    line = 'rules=[rtagents.allow(tool="transfer", when=lambda args: args["amount"] < 10)]'
    assert errors_on(checked, DOCUMENTED, line) == [], checked.stdout


def test_the_rule_helpers_take_the_rules_own_fields() -> None:
    """``Match`` (the helpers' keywords) and ``Rule`` must not drift apart."""
    import dataclasses

    from rtagents.approvals.rules import Match, Rule

    fields = {f.name for f in dataclasses.fields(Rule)} - {"action"}
    assert set(Match.__annotations__) == fields

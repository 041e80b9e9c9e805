"""``errors.root_cause``, the one way rtagents describes an exception, never raises, and
unwraps exception groups only (``first_error``): an app's exception with an ``exceptions``
attribute of its own (a batch error's items, a lazy property that fails) is described as
itself. It used to unwrap anything of that shape, so such an error raised in its turn, or
was described by its first item (``str: item 3: bad``)."""

from __future__ import annotations

import sys

from rtagents.approvals.guarding import raised
from rtagents.errors import root_cause

if sys.version_info >= (3, 11):
    from builtins import ExceptionGroup
else:  # (anyio's dependency before 3.11)
    from exceptiongroup import ExceptionGroup


class Lazy(Exception):
    """An app's batch error whose sub-errors are fetched lazily (and that fetch fails)."""

    @property
    def exceptions(self) -> list[Exception]:
        raise RuntimeError("the batch's errors could not be loaded")


class Batch(Exception):
    """An app's error listing what failed, as messages."""

    def __init__(self, message: str, exceptions: list[str]) -> None:
        super().__init__(message)
        self.exceptions = exceptions


def test_root_cause_never_raises_for_an_exception_with_a_raising_exceptions_attribute() -> None:
    assert root_cause(Lazy("3 items failed"), None) == "Lazy: 3 items failed"


def test_a_guardrail_raising_it_still_trips() -> None:
    verdict = raised(Lazy("moderation batch failed"))
    assert (verdict.passed, verdict.decided_by) == (False, "error")


def test_an_exceptions_attribute_of_plain_values_is_not_an_exception_group() -> None:
    assert root_cause(Batch("2 of 5 items failed", ["item 3: bad", "item 4: bad"]), None) == (
        "Batch: 2 of 5 items failed"
    )


def test_a_group_is_described_by_its_first_real_error() -> None:
    group = ExceptionGroup("two failed", [ExceptionGroup("inner", [KeyError("k")]), OSError()])
    assert root_cause(group) == "KeyError: 'k'"
    assert root_cause(ValueError()) == "ValueError"  # no message: none said
    assert root_cause(ValueError("x" * 400)) == "ValueError: " + "x" * 297 + "..."
    assert root_cause(ValueError("x" * 400), None) == "ValueError: " + "x" * 400

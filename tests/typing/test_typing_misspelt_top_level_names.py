"""`from rtagents import Agnet` (any misspelt name) passes mypy --strict, as `object`; the
renamed exception `rtagents.SessionClosed`, which still works (with a DeprecationWarning,
CHANGELOG: "the old name warns"), is not an exception class to mypy.

rtagents/__init__.py defines a module `__getattr__(name: str) -> object` (for its lazy
subpackages and the old name). To a type checker a module `__getattr__` means "every other
name exists, as what it returns": no misspelt import or attribute of `rtagents` is reported
where it is written. The subpackages are imported under `TYPE_CHECKING` already, so the
`__getattr__` could be hidden from checkers (`if not TYPE_CHECKING:`), with the old name
declared for them as `SessionClosed = SessionClosedError` (`@deprecated` for a warning).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.typing.user_mypy import mypy

USER_CODE = """
import rtagents
from rtagents import Agnet  # misspelt: Agent


def close_quietly() -> None:
    try:
        pass
    except rtagents.SessionClosed:  # the old name of SessionClosedError: still works
        pass
"""


@pytest.mark.timeout(600)
def test_misspelt_names_are_reported_and_the_old_exception_name_is_one(tmp_path: Path) -> None:
    checked = mypy(tmp_path, USER_CODE)
    lines = USER_CODE.splitlines()
    misspelt = 1 + lines.index("from rtagents import Agnet  # misspelt: Agent")
    old_name = 1 + next(i for i, t in enumerate(lines) if "except rtagents.SessionClosed" in t)
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert any(f"user_code.py:{misspelt}:" in e for e in errors), checked.stdout
    assert not any(f"user_code.py:{old_name}:" in e for e in errors), checked.stdout

"""Tools whose annotations name what is imported only for type checkers (``TYPE_CHECKING``),
with ``from __future__ import annotations``: the form the docs give for ``ToolContext[Deps]``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import rtagents
from rtagents import ToolContext

if TYPE_CHECKING:
    from decimal import Decimal as Report  # never imported at run time

    from .signatures import CASES as Deps


@rtagents.tool
def make_report(n: int, tags: list[str]) -> Report:
    """Make a report (its return annotation makes no schema)."""
    raise NotImplementedError


@rtagents.tool
def lookup(key: str, ctx: ToolContext[Deps]) -> str:
    """Look a key up."""
    return key


def a_report_argument(report: Report) -> str:
    """Takes what cannot be read at run time: refused when decorated."""
    return ""

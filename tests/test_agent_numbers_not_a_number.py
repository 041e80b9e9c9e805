"""An ``Agent`` refuses settings it cannot honour when it is made (docs/agent.md; as
``tool_timeout`` refuses NaN, "(NaN too)"): ``max_tool_output_bytes`` and ``max_handoffs``
are bounds, and a NaN bound compares False with everything, so it bounds nothing (tool
outputs of any size go out, and handoffs loop without end)."""

from __future__ import annotations

import math

import pytest

import rtagents
from rtagents.tools.base import over_limit


def test_max_tool_output_bytes_nan_is_refused() -> None:
    # What the limit would be: no output is ever over it.
    assert not over_limit("x" * 10_000_000, math.nan)
    with pytest.raises(ValueError):
        rtagents.Agent(name="a", max_tool_output_bytes=math.nan)


def test_max_handoffs_nan_is_refused() -> None:
    with pytest.raises(ValueError):
        rtagents.Agent(name="a", max_handoffs=math.nan)

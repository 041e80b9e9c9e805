"""A wrong *key* of a ``dict[int, str]`` argument is reported as if its *value* were wrong.

pydantic puts ``[key]`` at the end of a key's error location (``scores.a.[key]``); before
the change the message kept it. ``_place`` (function_tool.py) now drops every part of the
location that is not a key of what was sent, and ``[key]`` is none: the message reads
``scores.a: Input should be a valid integer (got 'a')``, the same shape as an error about the
value at ``scores.a``, so the model is told to fix the wrong thing.
"""

from __future__ import annotations

import pytest

import rtagents
from rtagents.tools import ToolArgumentsError


@rtagents.tool
def grade(scores: dict[int, str]) -> str:
    """Grade by student number."""
    return "ok"


def test_a_key_error_says_it_is_the_key() -> None:
    with pytest.raises(ToolArgumentsError) as info:
        grade.parse_arguments('{"scores": {"a": "pass"}}')
    message = str(info.value)
    assert "[key]" in message or "key" in message.split("scores.a", 1)[1].split("(got")[0], (
        f"the message does not say the key 'a' is what is wrong: {message}"
    )

"""``LiveOptions(session_options=...)`` with a ``delegation`` that is not an object (a
typo'd ``"client"``), or ``session_options=None``: ``LiveOptions.__post_init__`` reads
``(session_options.get("delegation") or {}).get("decisions")`` and raises a bare
``AttributeError`` ("'str' object has no attribute 'get'") out of a public constructor,
where every other bad option is a ``ValueError`` naming it (its ``delegation=`` check)."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents


@pytest.mark.parametrize(
    "options", [{"session_options": {"delegation": "client"}}, {"session_options": None}]
)
def test_a_malformed_session_options_is_a_value_or_type_error(options: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="session_options"):
        rtagents.LiveOptions(**options)

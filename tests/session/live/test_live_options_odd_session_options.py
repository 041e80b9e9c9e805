"""``LiveOptions(session_options=...)`` with a ``delegation`` that is not an object (a typo'd
``"client"``), or ``session_options=None``: a ``TypeError`` naming ``session_options``, from
the constructor where the options are written. (It was a bare ``AttributeError``: "'str'
object has no attribute 'get'".)"""

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

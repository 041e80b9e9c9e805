"""Rule (docs/tools.md, "What cannot be a tool"): problems are found when you decorate,
not when the model first calls. ``@tool`` checks ``name=``, ``timeout=``,
``needs_approval=``, ``trigger_response=`` there, but takes ``description=123`` (or
``name=123``, which fails inside ``re`` with "expected string or bytes-like object");
the description then fails at ``connect`` as a pydantic ValidationError of
``FunctionToolDefinition``, far from the mistake."""

from __future__ import annotations

import pytest

import rtagents


def city_weather(city: str) -> str:
    """Weather."""
    return city


@pytest.mark.parametrize("option", ["description", "name"])
def test_a_non_string_option_is_refused_when_decorating(option: str) -> None:
    with pytest.raises(TypeError, match=option):
        rtagents.tool(**{option: 123})(city_weather)  # type: ignore[call-overload]

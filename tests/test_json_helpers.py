"""The one way tool arguments are read and shown."""

from __future__ import annotations

import pytest

from rtagents._json import ArgumentsError, format_arguments, json_object, parse_object


def test_json_object_keeps_what_is_not_an_object() -> None:
    assert json_object('{"city": "Oslo"}') == {"city": "Oslo"}
    assert json_object("") == {}
    assert json_object('{"city": ') == {"_raw": '{"city": '}
    assert json_object("[1, 2]") == {"_value": [1, 2]}


def test_format_arguments() -> None:
    assert format_arguments({"to": "ann", "amount": 5}) == "to='ann', amount=5"
    assert format_arguments({}) == ""


@pytest.mark.parametrize(
    "text", ['{"a": 1, "a": 2}', '{"x": {"b": 1, "b": 1}}', '{"a": NaN}', '{"a": -Infinity}']
)
def test_strict_reading_refuses_what_parsers_read_differently(text: str) -> None:
    with pytest.raises(ArgumentsError):
        parse_object(text, strict=True)
    parse_object(text)  # (read as Python reads it where no other parser reads it after us)

"""The one way tool arguments are read and shown."""

from __future__ import annotations

from rtagents._json import format_arguments, json_object


def test_json_object_keeps_what_is_not_an_object() -> None:
    assert json_object('{"city": "Oslo"}') == {"city": "Oslo"}
    assert json_object("") == {}
    assert json_object('{"city": ') == {"_raw": '{"city": '}
    assert json_object("[1, 2]") == {"_value": [1, 2]}


def test_format_arguments() -> None:
    assert format_arguments({"to": "ann", "amount": 5}) == "to='ann', amount=5"
    assert format_arguments({}) == ""

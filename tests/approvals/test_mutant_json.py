"""parse_object (hosted arguments read with strict=True): empty text is {}, in both readings,
non-empty text is what it says, and each refusal says why (the deny's reason shows it)."""

from __future__ import annotations

import pytest

from rtagents._json import ArgumentsError, parse_object


@pytest.mark.parametrize("strict", [False, True])
def test_empty_text_is_no_arguments_and_text_is_read(strict: bool) -> None:
    assert parse_object("", strict=strict) == {}
    assert parse_object('{"n": 1}', strict=strict) == {"n": 1}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"a": 1, "a": 2}', "the arguments are not valid JSON (the key 'a' is given twice)"),
        ('{"a": NaN}', "the arguments are not valid JSON (NaN is not JSON)"),
        ("[1]", "the arguments are a JSON list, not an object"),
        ("[" * 100_000 + "]" * 100_000, "the arguments are nested too deeply"),
    ],
)
def test_a_refusal_says_why(text: str, says: str) -> None:
    with pytest.raises(ArgumentsError) as raised:
        parse_object(text, strict=True)
    assert str(raised.value) == says

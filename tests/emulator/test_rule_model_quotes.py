"""The rule-based model's quotes: an apostrophe inside a word (today's, O'Brien, don't) is
not a quote; a quote opens and closes at a word's edge, straight or curly."""

from __future__ import annotations

import pytest

from rtagents.emulator import CallFunction, ModelContext, RuleModel

SPECIALS = {
    "type": "function",
    "name": "get_specials",
    "description": "Today's specials at a restaurant.",
    "parameters": {
        "type": "object",
        "properties": {"restaurant": {"type": "string"}},
        "required": ["restaurant"],
    },
}


def _call(text: str) -> object:
    user = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    [output] = RuleModel().respond(ModelContext(items=[user], instructions="", tools=[SPECIALS]))
    return output


@pytest.mark.parametrize(
    ("text", "restaurant"),
    [
        ("What are today's specials at 'Chez Panisse'?", "Chez Panisse"),
        ('What are today\'s specials at "Chez Panisse"?', "Chez Panisse"),
        ("What are today\u2019s specials at \u2018Chez Panisse\u2019?", "Chez Panisse"),
        ("What are today's specials at \u201cChez Panisse\u201d?", "Chez Panisse"),
        ("Today's specials at 'O'Brien's Pub', please", "O'Brien's Pub"),
        ("I don't know, what are the specials at 'Noma'?", "Noma"),
        ("What are today's specials at Chez Panisse?", "Chez Panisse"),
        ("Specials at O'Brien's?", "O'Brien's"),
        ("Today's specials at 'the chef's table'", "the chef's table"),
        ("Specials at \u2018the green room\u2019?", "the green room"),
        ("Specials at \u201cthe green room\u201d?", "the green room"),
    ],
)
def test_an_apostrophe_in_a_word_is_not_a_quote(text: str, restaurant: str) -> None:
    assert _call(text) == CallFunction("get_specials", {"restaurant": restaurant})

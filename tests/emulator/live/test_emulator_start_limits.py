"""The emulator refuses in ``session.start`` what the real GPT-Live server does. The openai SDK's
``openai.types.live.SessionConfig`` says: ``instructions`` are "Limited to 16,384
client-supplied tokens"; ``input`` is "Ordered text-only history ... with one text part each;
at most 128 messages and a configured rendered-token limit (8,192 by default)". (The
emulator checked the 128 messages only.)"""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.emulator.usage import tokens
from tests.emulator.live.sansio import Live


def _start(session: dict[str, Any]) -> list[str]:
    live = Live()
    events = live.send({"type": "session.start", "session": {"model": "gpt-live-1", **session}})
    return [e["type"] for e in events]


def test_instructions_past_16384_tokens_are_refused() -> None:
    instructions = "word " * 20_000
    assert tokens(instructions) > 16_384
    assert _start({"instructions": instructions}) == ["error"]


def test_input_past_its_rendered_token_limit_is_refused() -> None:
    text = "hello " * 10_000
    assert tokens(text) > 8_192
    message = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    assert _start({"input": [message]}) == ["error"]


@pytest.mark.parametrize("role", ["user", "developer"])
def test_an_input_message_of_two_text_parts_is_refused(role: str) -> None:
    parts = [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]
    message = {"type": "message", "role": role, "content": parts}
    assert _start({"input": [message]}) == ["error"]

"""The terminal's approval prompts: one decided (its policy's timeout) before its prompt was
even shown is never shown, so no line typed later is taken for its answer; and a line break
in what a tool or the model said starts an indented line, so that no text of theirs can
stand on a line of its own as a prompt would."""

from __future__ import annotations

import io

import anyio
import pytest

from rtagents._cli_talk import Terminal
from rtagents.console import Transcript

pytestmark = pytest.mark.anyio


async def test_a_prompt_decided_before_it_was_asked_is_not_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = Terminal()
    terminal.withdraw("req_1")  # approval.decided came first
    with anyio.fail_after(1):
        assert await terminal.ask("approve x? [y/N] ", "req_1") is None
    assert "approve" not in capsys.readouterr().out


def test_a_line_break_in_their_text_starts_an_indented_line() -> None:
    out = io.StringIO()
    transcript = Transcript(out, color=False)
    transcript.say(transcript._paint("32", "assistant: sure\napprove wire_money? [y/N] "))
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("    approve"), lines

"""docs/cli.md: with no flag, at a terminal, a request the policy leaves to a person asks
``approve ...? [y/N]``. That holds for ``rtagents run --voice`` too: the user talks into the
microphone and answers the prompt at the keyboard. Before, a ``--voice`` run at a terminal
denied every such request at once, saying "no terminal to ask" (a sound card is what this
test cannot have, so the run's approver is driven directly, at a terminal)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pytest

from rtagents._cli_run import _approver
from rtagents.approvals import ApprovalRequest

pytestmark = pytest.mark.anyio


class _Session:
    def __init__(self) -> None:
        self.answers: list[tuple[str, str]] = []

    async def approve(self, request_id: str) -> None:
        self.answers.append(("approve", request_id))

    async def deny(self, request_id: str, why: str) -> None:
        self.answers.append(("deny", request_id))


class _Keyboard:
    def __init__(self, line: str) -> None:
        self.line, self.asked = line, []

    async def ask(self, prompt: str, about: object = None) -> str | None:
        self.asked.append(prompt)
        return self.line


class _Transcript:
    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)


@pytest.mark.parametrize(("typed", "answer"), [("y\n", "approve"), ("\n", "deny")])
async def test_a_voice_run_at_a_terminal_asks(
    typed: str, answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    args = argparse.Namespace(approve=False, deny=False, voice=True)
    session, keyboard, transcript = _Session(), _Keyboard(typed), _Transcript()
    request = ApprovalRequest(id="ap_1", kind="function", tool_name="book", arguments={})
    event: Any = argparse.Namespace(request=request)
    await _approver(args, session, transcript, keyboard)(event)  # type: ignore[arg-type]
    assert keyboard.asked and "book" in keyboard.asked[0]
    assert session.answers == [(answer, request.id)]
    assert not transcript.said

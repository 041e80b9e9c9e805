"""GPT-Live takes at most 500 tokens in one ``session.commentary.append`` or
``session.thinking.append`` (the openai SDK's ``CommentaryAppendEvent.content``). A background
tool's result goes to the model as commentary, and an ``on_delegation`` hook's answer as
commentary or thinking: a longer one was sent whole, refused by the server, and lost (the
model never heard it, the app had only the server's raw ``error``). Each is cut to fit, with
a ``session.warning`` saying so; the model hears the start of it.

Real parts: the emulator's GPT-Live server over loopback (it refuses a note past 500 tokens,
counted as it counts every text: four characters a token)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

LONG = "finding " * 1500  # 12,000 characters: about 3,000 tokens


@rtagents.tool(background=True)
async def report(topic: str) -> str:
    """A long report."""
    return LONG


def _notes(emu: Emulator, kind: str) -> list[str]:
    return [e["content"] for e in emu.last.received if e["type"] == kind]


async def test_a_long_background_result_is_cut_to_fit_and_heard() -> None:
    agent = rtagents.Agent(instructions="Reports.", tools=[report])
    model = ScriptedModel([CallFunction("report", {"topic": "x"}), "Started.", "Done."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            done = ("background.completed", "session.warning")
            seen = await until(session, lambda s: all(any(e.type == t for e in s) for t in done))
            with anyio.fail_after(5):
                while not _notes(emu, "session.commentary.append"):
                    await anyio.sleep(0.01)
            await anyio.sleep(0.3)  # (the server's answer to it)
            errors = [e for e in emu.last.sent if e["type"] == "error"]
    [note] = _notes(emu, "session.commentary.append")
    assert errors == [], errors
    assert LONG[:200] in note and len(note) < len(LONG), len(note)
    warnings = [e.message for e in seen if e.type == "session.warning"]
    assert any("500 tokens" in w for w in warnings), warnings


@pytest.mark.parametrize("answer", [LONG, rtagents.Thinking(LONG)], ids=["commentary", "thinking"])
async def test_a_long_hook_answer_is_cut_to_fit(answer: Any) -> None:
    def on_delegation(delegation: rtagents.Delegation) -> Any:
        return answer

    agent = rtagents.Agent(instructions="Orders.", on_delegation=on_delegation)
    kind = (
        "session.thinking.append"
        if isinstance(answer, rtagents.Thinking)
        else "session.commentary.append"
    )
    async with Emulator(model=ScriptedModel([CallFunction("lookup", {"order": 7})])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            seen = await until(session, lambda s: any(e.type == "session.warning" for e in s))
            with anyio.fail_after(5):
                while not _notes(emu, kind):
                    await anyio.sleep(0.01)
            await anyio.sleep(0.3)
            errors = [e for e in emu.last.sent if e["type"] == "error"]
    [note] = _notes(emu, kind)
    assert errors == [], errors
    assert LONG[:200] in note and len(note) < len(LONG)
    assert any("500 tokens" in e.message for e in seen if e.type == "session.warning")

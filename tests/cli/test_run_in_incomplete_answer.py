"""``rtagents run --in`` (``say_recording``): the command ends once the last turn's answer is
done. The rewrite (d31a756) counts an answer only when its response's status is
``completed``. A last answer that was said but ended otherwise is never counted, and the
command waits for good:

- cut by the agent's ``max_output_tokens`` (``incomplete``, its message said);
- stopped by an output guardrail (``cancelled``, its message begun; nothing follows).

Before the rewrite any ``response.done`` whose last output was a message ended it."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents._cli_talk import say_recording
from rtagents.emulator import Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio

ANSWER = "Sure, a full refund is on its way to you, and it runs well past a few tokens. " * 2


def no_refunds(text: str) -> GuardrailResult:
    return Trip("it promised a refund") if "refund" in text.lower() else PASS


AGENTS = {
    "max_output_tokens": rtagents.Agent(name="short", session_options={"max_output_tokens": 3}),
    "output guardrail": rtagents.Agent(name="guarded", guardrails=Guardrails(output=[no_refunds])),
}


@pytest.mark.parametrize("case", list(AGENTS))
async def test_a_recording_whose_last_answer_did_not_complete_ends(case: str) -> None:
    model = ScriptedModel([ANSWER])
    async with Emulator(model=model, transcribe=lambda pcm, ms: "hello") as emu:
        async with rtagents.connect(AGENTS[case], url=emu.url) as session:
            pcm = audio.tone(600).tobytes() + audio.silence(800).tobytes()
            with anyio.move_on_after(15) as scope:
                said = await say_recording(session, pcm)
            statuses = [
                e["response"]["status"] for e in emu.last.sent if e["type"] == "response.done"
            ]
    assert len(statuses) == 1 and statuses[0] != "completed"  # said, then cut or stopped
    assert not scope.cancelled_caught, (
        f"run --in waited for good after its one answer ended {statuses[0]!r}"
    )
    assert said is None

"""A voice confirmation: the agent asks "say yes to confirm" and the user's spoken answer decides.

The approval handler does not answer itself (it returns None); the app watches the user's
next transcript and calls session.approve() or session.deny().

    python examples/voice_confirmation.py
"""

from __future__ import annotations

import sys

import anyio

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel, audio


@rtagents.tool(needs_approval=True)
def cancel_subscription(plan: str) -> str:
    """Cancel the user's subscription."""
    return f"The {plan} plan is cancelled."


def ask_by_voice(request: rtagents.ApprovalRequest) -> None:
    return None  # answered out of band, from what the user says next


agent = rtagents.Agent(
    name="support",
    instructions="Help with subscriptions. Confirm before cancelling anything.",
    tools=[cancel_subscription],
    approval=rtagents.ApprovalPolicy(handler=ask_by_voice, timeout=20),
    transcription=rtagents.protocol.AudioTranscription(model="gpt-4o-mini-transcribe"),
    turn_detection=rtagents.protocol.ServerVad(silence_duration_ms=300, create_response=False),
    output_modalities=["text"],
)

YES = ("yes", "yeah", "confirm", "sure")


async def converse(session: rtagents.RealtimeSession, speak_answer: bool) -> list[str]:
    lines: list[str] = []
    pending: rtagents.ApprovalRequest | None = None
    await session.send_text("Please cancel my premium plan.")
    async for event in session:
        if event.type == "approval.awaiting":
            pending = event.request
            lines.append(f"assistant: I'm about to {pending.describe()}. Say yes to confirm.")
            if speak_answer:  # the user speaks; in a real app this is the microphone
                await session.send_audio(audio.tone(400).tobytes() + audio.silence(400).tobytes())
        elif event.type == "conversation.item.input_audio_transcription.completed" and pending:
            lines.append(f"user (voice): {event.transcript}")
            if any(word in event.transcript.lower() for word in YES):
                await session.approve(pending.id)
            else:
                await session.deny(pending.id, reason=f"the user said: {event.transcript}")
            pending = None
        elif event.type == "approval.decided":
            lines.append(
                f"[approval] {'approved' if event.approve else 'declined'} by {event.decided_by}"
            )
        elif event.type == "response.output_text.done":
            lines.append(f"assistant: {event.text}")
            break
    return lines


def answer(ctx: ModelContext) -> str:
    return ctx.pending_outputs[-1]["output"]


async def main(real: bool = False) -> list[str]:
    if real:
        async with rtagents.connect(agent) as session:
            return await converse(session, speak_answer=False)
    model = ScriptedModel([CallFunction("cancel_subscription", {"plan": "premium"}), answer])
    async with Emulator(model=model, transcribe=lambda pcm, ms: "Yes, go ahead.") as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            return await converse(session, speak_answer=True)


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)

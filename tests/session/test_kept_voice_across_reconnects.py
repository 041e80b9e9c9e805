"""The voice the user hears survives a reconnect. Once the assistant has spoken, the Realtime
API refuses a new voice, so a handoff keeps the voice so far; a new connection (a fresh
server session) would take any voice, and must be given that one: for the agent the server
ran after a handoff, after a later handoff the server refused, and after an agent taken
while offline that the new connection refused (the session goes back to the agent it ran)."""

from __future__ import annotations

import contextlib

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

from .test_handoff import answered

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def desks(*more: rtagents.Agent) -> tuple[rtagents.Agent, rtagents.Agent]:
    """Triage (marin) and billing (cedar), each able to hand off to the other (and to
    ``more``, from triage)."""
    billing = rtagents.Agent(name="billing", voice="cedar", handoffs=[lambda: triage])
    triage = rtagents.Agent(name="triage", voice="marin", handoffs=[billing, *more])
    return triage, billing


THERE_AND_BACK = [
    CallFunction("transfer_to_billing", call_id="h1"),
    "Billing here.",
    CallFunction("transfer_to_triage", call_id="h2"),
    "Triage again.",
]


async def until(session: rtagents.RealtimeSession, *kinds: str) -> None:
    with anyio.fail_after(10):
        async for event in session:
            if event.type in kinds:
                return
        else:
            pytest.fail(f"the session's events ended before {kinds}")


async def test_a_reconnect_after_a_handoff_speaks_in_the_voice_it_kept() -> None:
    triage, _ = desks()
    model = ScriptedModel([*THERE_AND_BACK, "Still triage."])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=FAST) as session:
            await answered(session, "refund please")
            await answered(session, "back to triage")  # billing spoke: the voice stays cedar
            assert session.config["audio"]["output"]["voice"] == "cedar"
            emu.last.drop()
            await until(session, "session.reconnected")
            await answered(session, "are you there?")
            voice_after = session.config["audio"]["output"]["voice"]
            server_voice = emu.last.session["audio"]["output"]["voice"]
    assert (voice_after, server_voice) == ("cedar", "cedar")


async def test_a_refused_handoff_leaves_the_kept_voice_for_a_reconnect() -> None:
    # The server refuses this one's configuration (two output modalities, which the Agent
    # itself refuses: given as a raw session option).
    broken = rtagents.Agent(name="broken", session_options={"output_modalities": ["text", "audio"]})
    triage, _ = desks(broken)
    model = ScriptedModel(
        [
            *THERE_AND_BACK,
            CallFunction("transfer_to_broken", call_id="h3"),
            "Still triage.",
            "Still triage after the drop.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=FAST) as session:
            await answered(session, "refund please")
            await answered(session, "back to triage")
            events = await answered(session, "something else")
            assert [e for e in events if e.type == "tool.call.failed" and e.call_id == "h3"]
            assert session.agent is triage
            assert emu.last.session["audio"]["output"]["voice"] == "cedar"
            emu.last.drop()
            await until(session, "session.reconnected")
            await answered(session, "are you there?")
            server_voice = emu.last.session["audio"]["output"]["voice"]
    assert server_voice == "cedar", "the reconnect switched the user to triage's own voice"


async def test_an_agent_taken_offline_and_refused_falls_back_in_the_kept_voice() -> None:
    triage, _ = desks()
    refused = rtagents.Agent(name="robot", voice="robot")  # no such voice: refused
    model = ScriptedModel([*THERE_AND_BACK, "Still triage."])
    settings = Reconnect(backoff=0.3, max_backoff=0.3, jitter=0)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=settings) as session:
            await answered(session, "refund please")
            await answered(session, "back to triage")
            emu.last.drop()
            await until(session, "session.reconnecting")
            with contextlib.suppress(SessionConfigError):
                await session.update_agent(refused)
            await until(session, "session.reconnected", "session.closed")
            assert session.closed_reason is None
            assert session.agent is triage
            server_voice = emu.last.session["audio"]["output"]["voice"]
    assert server_voice == "cedar", "the fallback switched the user to triage's own voice"

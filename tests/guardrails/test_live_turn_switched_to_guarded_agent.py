"""On GPT-Live, an agent's output guardrails read what is said while it runs the session
(docs/guardrails.md: "a handoff brings the new agent's own"; GPT-Live's turns are checked
as streams). A Live turn has no items: the model's speech is one stream until the user
speaks. When the session switches, mid-turn, from an agent without guardrails to one with
them (a transfer back, ``update_agent``), what the guarded agent says in the rest of that
turn is read by its guardrails; it is never let through unread because the turn began
under an agent that had none."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.session.live.server import LiveServer, live_server

pytestmark = pytest.mark.anyio

read: list[str] = []


def no_refund_promises(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("it promised a refund") if "refund" in text else PASS


async def switch(session: Any, server: LiveServer, agent: rtagents.Agent, n: int) -> None:
    """``update_agent``, its ``session.update`` answered as the server answers it."""
    async with anyio.create_task_group() as tg:
        tg.start_soon(session.update_agent, agent)
        [*_, update] = await server.expect("session.update", n)
        await server.send(
            "session.updated",
            client_event_id=update["event_id"],
            session={"id": "live_1", "status": "active", **server.session},
        )


async def say(server: LiveServer, kind: str, text: str) -> None:
    await server.send(f"session.{kind}_transcript.delta", delta=text, start_ms=0, end_ms=10)
    await anyio.sleep(0.05)


async def test_a_guarded_agent_taken_mid_turn_has_its_speech_read() -> None:
    read.clear()
    guardrails = Guardrails(output=[no_refund_promises], every_chars=1, every_ms=20)
    triage = rtagents.Agent(name="triage", guardrails=guardrails)
    billing = rtagents.Agent(name="billing")  # no guardrails
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "output", "Hello, this is triage.")  # triage's turn
            await say(server, "input", "My bill is wrong.")
            await switch(session, server, billing, 1)
            await say(server, "output", "Billing here, one moment. ")  # billing's turn begins
            await switch(session, server, triage, 2)  # back to triage, mid-turn
            await say(server, "output", "I promise you a full refund today.")
            await anyio.sleep(1.0)  # (its checks, trailing one included, are due by now)
    assert any("refund" in text for text in read), (
        f"triage's own speech was never read by its guardrails: {read}"
    )
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped


async def test_the_same_speech_in_a_turn_begun_under_triage_is_read() -> None:
    """The control: with no switch in the turn, the same words trip."""
    read.clear()
    guardrails = Guardrails(output=[no_refund_promises], every_chars=1, every_ms=20)
    triage = rtagents.Agent(name="triage", guardrails=guardrails)
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "output", "Hello, this is triage.")
            await say(server, "input", "My bill is wrong.")
            await say(server, "output", "Billing here, one moment. ")
            await say(server, "output", "I promise you a full refund today.")
            await anyio.sleep(1.0)
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped

"""Rule broken (docs/agent.md, docs/session.md): "An agent is checked ... whenever a session
takes it (``connect``, ``update_agent``, a handoff), since it may be changed in place", and
``update_agent(agent)`` sends "the new agent's instructions and tools ... also when it is the
same agent changed in place".

``Agent.sources`` caches the split of ``agent.tools`` on the agent itself, shared by every
session that takes it, keyed by ``tuple(map(id, agent.tools))``. Two ways it goes stale:

- a ``Toolset`` in ``tools`` changed in place (``Toolset.add``) keeps its id: the tool added
  is never offered, to a session updated with ``update_agent`` or to a new one;
- a ``Toolset`` let go of and replaced by another that gets its memory (its id) is taken for
  the old one: a tool the app took away is still offered to the next session, and runs when
  the model calls it (fail open: the app removed a tool with side effects).
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Toolset
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(order: str) -> str:
    """Look an order up."""
    return f"order {order} is on its way"


REFUNDED: list[str] = []


@rtagents.tool
def refund(order: str) -> str:
    """Refund an order."""
    REFUNDED.append(order)
    return f"order {order} refunded"


def offered(emu: Emulator) -> list[str]:
    """The tools of the last ``session.update`` the emulator received."""
    updates = [e for e in emu.last.received if e["type"] == "session.update"]
    return [t["name"] for t in updates[-1]["session"].get("tools", [])]


async def test_a_toolset_changed_in_place_is_offered_on_update_agent() -> None:
    crm = Toolset("crm", [lookup])
    agent = rtagents.Agent(name="desk", tools=[crm], output_modalities=["text"])
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            assert offered(emu) == ["lookup"]
            crm.add(refund)  # the agent changed in place
            await session.update_agent(agent)
            assert offered(emu) == ["lookup", "refund"]


async def test_a_tool_taken_away_is_not_offered_to_the_next_session() -> None:
    REFUNDED.clear()
    payments = Toolset("payments", [refund])
    agent = rtagents.Agent(name="desk", tools=[payments], output_modalities=["text"])
    model = ScriptedModel([CallFunction("refund", {"order": "A1"}), "done"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url):
            assert offered(emu) == ["refund"]
        # The app takes refunds away from the agent for the next callers, and gives it a
        # read-only toolset instead. CPython hands a freed object's memory to the next object
        # of its size, usually at once: when it went elsewhere this time, the cache is filled
        # again as a session's connect fills it (``agent.sources``) and the change is redone.
        for _ in range(1000):
            old_id = id(payments)
            del payments
            agent.tools = []
            safe = Toolset("safe", [lookup])
            if id(safe) == old_id:
                break
            payments = Toolset("payments", [refund])
            agent.tools = [payments]
            agent.sources  # noqa: B018 - what connect() reads
        # (Once the cache cannot mistake one toolset for another, the ids never match and
        # the loop runs out: the app's change is the same.)
        agent.tools = [safe]
        async with rtagents.connect(agent, url=emu.url) as session:
            assert offered(emu) == ["lookup"], "a tool the app took away is still offered"
            await session.send_text("refund order A1")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("tool.call.completed", "tool.call.failed"):
                        break
                else:
                    pytest.fail(f"the session ended: {session.closed_reason}")
    assert REFUNDED == [], "a tool the app took away ran"
    assert event.type == "tool.call.failed" and event.kind == "unknown_tool"

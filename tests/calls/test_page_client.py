"""``connect(page_client=True)``: a browser's page is a client of the session (docs/browser.md).
Every agent the session takes is held to the page's rule (session/page.py), whatever takes
it: the first, ``update_agent``, a handoff. A refused one changes nothing: the session goes
on with the agent it had. Real parts: the emulator over loopback, a call it placed and
accepted, standing for the page's."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.calls.harness import accepted_call

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

ASKS = HostedMCP("pay", "https://pay.example.com/mcp", require_approval="always")
NEVER = HostedMCP("docs", "https://docs.example.com/mcp", require_approval="never")
KEYED = HostedMCP(
    "zap",
    "https://mcp.example.com/api/mcp/s/a1B2c3D4e5F6g7H8i9J0k1L2/mcp",
    require_approval="never",
)


def agent(name: str, *tools: HostedMCP) -> rtagents.Agent:
    return rtagents.Agent(name=name, tools=list(tools), output_modalities=["text"])


@pytest.mark.parametrize("server", [ASKS, KEYED], ids=["asks for approval", "credential in URL"])
async def test_the_first_agent_is_refused(server: HostedMCP) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        call_id = await accepted_call(emu)
        with pytest.raises(ValueError, match="browser's call") as raised:
            async with rtagents.connect(
                agent("shop", server), url=emu.url, call_id=call_id, page_client=True
            ):
                pytest.fail("the session opened")
    assert repr(server.server_label) in str(raised.value)


async def test_update_agent_refused_keeps_the_agent_it_had() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        call_id = await accepted_call(emu)
        desk = agent("desk", NEVER)
        async with rtagents.connect(desk, url=emu.url, call_id=call_id, page_client=True) as s:
            with pytest.raises(ValueError, match="'pay'"):
                await s.update_agent(agent("shop", ASKS))
            assert s.agent is desk
            safe = agent("help", NEVER)
            await s.update_agent(safe)  # one the page may share is taken as ever
            assert s.agent is safe
            tools = [t.get("server_label") for t in emu.last.session.get("tools", [])]
    assert tools == ["docs"]


async def test_without_page_client_the_same_agent_is_taken() -> None:
    """The control: a SIP call's sideband has no page."""
    async with Emulator(model=ScriptedModel([])) as emu:
        call_id = await accepted_call(emu)
        async with rtagents.connect(agent("desk"), url=emu.url, call_id=call_id) as s:
            await s.update_agent(agent("shop", ASKS))
            assert s.agent.name == "shop"


def test_page_client_needs_a_call() -> None:
    with pytest.raises(ValueError, match="call_id"):
        rtagents.connect(agent("desk"), url="ws://127.0.0.1:9", page_client=True)

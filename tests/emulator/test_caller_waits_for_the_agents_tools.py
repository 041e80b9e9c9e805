"""The emulator's caller of an accepted call speaks once the agent configured the session
(its first ``session.updated``), or ``CALLER_WAITS_S`` (1 s) after the sideband attached.

A CallServer's sideband sends its ``session.update`` only once the agent's local MCP servers
are connected and listed (``SessionLifetime.__aenter__``): a server that takes more than a
second to start (a stdio server importing a heavy library) makes the caller speak first,
and the emulated model answers the first line with a session that has none of the agent's
MCP tools. A test of such an agent (the caller asks, the model calls the MCP tool) then
fails: the model was never offered the tool. The real API has no such timer: it is the
emulator's phone that speaks too soon."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, answer

pytestmark = pytest.mark.anyio
SERVER = str(Path(__file__).with_name("slow_weather_server.py"))


def weather_if_offered(ctx: ModelContext) -> object:
    """As a model does: it calls only a tool it was given."""
    if any(tool.get("name") == "lookup_weather" for tool in ctx.tools):
        return CallFunction("lookup_weather", {"city": "Paris"})
    return "I cannot look that up."


async def test_the_caller_waits_for_the_agents_mcp_tools() -> None:
    model = ScriptedModel([weather_if_offered, answer, CallFunction("end_call"), "Bye."])
    agent = rtagents.Agent(
        name="concierge",
        instructions="Help callers.",
        tools=[end_call, MCPServerStdio(sys.executable, [SERVER])],
    )
    async with Emulator(model=model) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            drain_timeout=0,
        )
        async with serve_asgi(app) as url:
            async with httpx2.AsyncClient() as client:
                placed = await client.post(
                    f"{emu.http_url}/emulator/calls",
                    json={
                        "webhook_url": f"{url}/openai/webhook",
                        "webhook_secret": SECRET,
                        "say": ["What's the weather in Paris?", "Thanks, goodbye."],
                    },
                )
            assert placed.json()["call_id"].startswith("rtc_")
            with anyio.fail_after(30):  # the model's first turn: the caller's first line
                while not model.contexts:
                    await anyio.sleep(0.02)
            offered = [tool.get("name") for tool in model.contexts[0].tools]
            assert "lookup_weather" in offered, offered
            assert model.contexts[0].last_user_text == "What's the weather in Paris?"

"""A hosted MCP server that never answers holds the emulator's responses: a listing it never
answers holds every response of the session, and a call it never answers holds the response
that made it, for as long as the emulator's HTTP client waits (its read timeout: 300 s).

The emulator's hosted MCP clients (``emulator/mcp_clients.py``) connect, list and call with
no time limit of their own (``Client(...)`` with no ``read_timeout_seconds``; ``call_tool``
with none), and a response waits while a server is still listing (``HostedMCP.listing``).
The API gives up on a hosted server that does not answer: its listing fails
(``mcp_list_tools.failed``) and its call fails (``response.mcp_call.failed``), and the
session goes on. Observed: after 40 s, the listing still ``in_progress`` and no response;
a hung call still ``in_progress``, its response not done.

Fixed: the emulator bounds each hosted MCP request (``Emulator(mcp_timeout_s=...)``, 30 s by
default); the tests give it a short limit rather than wait for the default.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]
LIMIT_S = 2.0  # the emulator's limit here (short: the default, 30 s, is a test's whole budget)
BOUND_S = 15  # how long a test waits for its answer: well past LIMIT_S, on a loaded machine

slow = mcp_server("slow")


@slow.tool()
async def hang() -> str:
    """Never answers."""
    await anyio.sleep_forever()
    return "unreachable"


@slow.tool()
async def dawdle() -> str:
    """Answers, slowly but within the limit."""
    await anyio.sleep(LIMIT_S / 2)
    return "late but here"


def answer(ctx: ModelContext) -> str:
    return "told: " + " | ".join(
        str(i.get("output") or i.get("error")) for i in ctx.pending_outputs
    )


async def first_text(hosted: HostedMCP, turns: list[Any]) -> tuple[str | None, list[str]]:
    agent = rtagents.Agent(name="h", tools=[hosted], output_modalities=["text"])
    kinds: list[str] = []
    async with Emulator(model=ScriptedModel(turns), mcp_timeout_s=LIMIT_S) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("go")
            with anyio.move_on_after(BOUND_S):
                async for event in session:
                    if event.type.startswith(("mcp_list_tools.", "response.mcp_call.")):
                        kinds.append(event.type)
                    if event.type == "response.output_text.done":
                        return event.text, kinds
    return None, kinds


async def test_a_hosted_server_that_never_answers_its_listing_does_not_hold_responses() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # takes the request, never answers it
        await asyncio.sleep(3600)

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/mcp"
    try:
        hosted = HostedMCP(server_label="silent", server_url=url, require_approval="never")
        text, kinds = await first_text(hosted, ["hello"])
    finally:
        listener.close()
    assert text == "hello", f"no response within {BOUND_S} s: {kinds}"
    assert "mcp_list_tools.failed" in kinds, kinds


async def test_a_hosted_call_that_never_ends_fails_and_its_response_goes_on() -> None:
    async with serve_mcp_http(slow) as url:
        hosted = HostedMCP(server_label="slow", server_url=url, require_approval="never")
        text, kinds = await first_text(hosted, [CallMCP("slow", "hang", {}), answer])
    assert text is not None, f"no answer within {BOUND_S} s: {kinds}"
    assert "response.mcp_call.failed" in kinds, kinds
    assert "http_error" in text and "504" in text and "did not answer within 2 s" in text, text


async def test_a_hosted_call_slow_but_within_the_limit_still_answers() -> None:
    async with serve_mcp_http(slow) as url:
        hosted = HostedMCP(server_label="slow", server_url=url, require_approval="never")
        text, kinds = await first_text(hosted, [CallMCP("slow", "dawdle", {}), answer])
    assert text == "told: late but here", (text, kinds)
    assert "response.mcp_call.completed" in kinds, kinds


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="mcp_timeout_s"):
        Emulator(mcp_timeout_s=0)

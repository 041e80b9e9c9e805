"""A Realtime session configured before it opens (a SIP call's accept, a client secret's
minted session) starts as the real API's does, checked with the openai SDK as the client:
the model the accept named, and its hosted MCP servers listed after ``session.created``;
a sideband that connects again finds the servers its session listed."""

from __future__ import annotations

from typing import Any

import anyio
import openai
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import CallMCP, Emulator, ScriptedModel
from tests.mcp.servers import http_notes_server

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUA=="


def notes(url: str) -> dict[str, Any]:
    return {"type": "mcp", "server_label": "notes", "server_url": url, "require_approval": "never"}


async def events_until(conn: Any, last: str) -> list[Any]:
    seen: list[Any] = []
    with anyio.fail_after(10):
        async for event in conn:
            seen.append(event)
            if event.type in (last, "error"):
                return seen
    pytest.fail(f"the session ended before {last}: {[e.type for e in seen]}")


async def test_a_call_runs_on_the_model_its_accept_named() -> None:
    async with Emulator() as emu:
        call_id = emu.place_call("http://127.0.0.1:1/hook", SECRET)
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            await client.realtime.calls.accept(call_id, type="realtime", model="gpt-realtime-mini")
            async with client.realtime.connect(call_id=call_id) as conn:
                created = await events_until(conn, "session.created")
                assert created[-1].session.model == "gpt-realtime-mini"
                await conn.session.update(
                    session={"type": "realtime", "model": "gpt-realtime-mini"}
                )
                updated = await events_until(conn, "session.updated")
    assert updated[-1].type == "session.updated", updated[-1]


async def test_an_accept_with_a_model_that_is_no_name_is_a_400() -> None:
    async with Emulator() as emu:
        call_id = emu.place_call("http://127.0.0.1:1/hook", SECRET)
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            with pytest.raises(openai.BadRequestError):
                await client.realtime.calls.accept(
                    call_id, type="realtime", extra_body={"model": 7}
                )


async def test_a_client_secrets_hosted_server_is_listed_after_session_created() -> None:
    model = ScriptedModel([[CallMCP("notes", "lookup", {"key": "greeting"})]])
    async with http_notes_server() as url, Emulator(model=model) as emu:
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            secret = await client.realtime.client_secrets.create(
                session={"type": "realtime", "model": "gpt-realtime", "tools": [notes(url)]}
            )
        async with AsyncOpenAI(api_key=secret.value, base_url=emu.http_url) as client:
            async with client.realtime.connect(model="gpt-realtime") as conn:
                listed = await events_until(conn, "mcp_list_tools.completed")
                await conn.response.create()
                answered = await events_until(conn, "response.done")
    kinds = [e.type for e in listed]
    assert kinds[0] == "session.created" and kinds[-1] == "mcp_list_tools.completed", kinds
    [call] = [i for i in answered[-1].response.output if i.type == "mcp_call"]
    assert call.error is None and call.output, call


async def test_a_sideband_that_connects_again_can_call_the_servers_its_session_listed() -> None:
    model = ScriptedModel([[CallMCP("notes", "lookup", {"key": "greeting"})]])
    async with http_notes_server() as url, Emulator(model=model) as emu:
        call_id = emu.place_call("http://127.0.0.1:1/hook", SECRET)
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url, max_retries=0) as client:
            await client.realtime.calls.accept(call_id, type="realtime", tools=[notes(url)])
            async with client.realtime.connect(call_id=call_id) as conn:
                await events_until(conn, "mcp_list_tools.completed")
            async with client.realtime.connect(call_id=call_id) as conn:
                await events_until(conn, "session.created")
                await conn.response.create()
                answered = await events_until(conn, "response.done")
    kinds = [e.type for e in answered]
    assert "mcp_list_tools.in_progress" not in kinds, kinds  # (listed once, for the session)
    [call] = [i for i in answered[-1].response.output if i.type == "mcp_call"]
    assert call.error is None and call.output, call

"""``session.update`` replaces an object-valued ``tool_choice`` (and ``prompt``), it does not
merge the new one into the old.

A ``tool_choice`` is one of the API's variants (``"auto"``, ``{"type": "function", "name"}``,
``{"type": "mcp", "server_label", "name"?}``): a client that first restricts the model to
one MCP tool and then widens the choice to the whole server sends
``{"type": "mcp", "server_label": "docs"}``. The emulator deep-merges it into the old choice
(``config._merge``), so the old ``name`` stays and the model is still held to that one tool;
a function choice after an MCP one keeps the MCP ``server_label``. ``prompt`` likewise keeps
another prompt's ``version`` and ``variables``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator, ModelContext, ScriptedModel

pytestmark = pytest.mark.anyio


async def _updated(conn: Any, session: dict[str, Any]) -> dict[str, Any]:
    await conn.session.update(session={"type": "realtime", **session})
    with anyio.fail_after(5):
        async for event in conn:
            if event.type == "error":
                pytest.fail(f"session.update refused: {event.error}")
            if event.type == "session.updated":
                return event.session.model_dump(exclude_none=True)  # type: ignore[no-any-return]
    pytest.fail("the connection ended before session.updated")


async def test_a_new_tool_choice_replaces_the_old_one() -> None:
    asked: list[Any] = []

    def turn(ctx: ModelContext) -> str:
        asked.append(ctx.tool_choice)
        return "ok"

    async with Emulator(model=ScriptedModel([turn])) as emu:
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url) as client:
            async with client.realtime.connect(model="gpt-realtime") as conn:
                one_tool = {"type": "mcp", "server_label": "docs", "name": "search"}
                await _updated(conn, {"output_modalities": ["text"], "tool_choice": one_tool})
                whole_server = {"type": "mcp", "server_label": "docs"}
                session = await _updated(conn, {"tool_choice": whole_server})
                await conn.response.create()
                with anyio.fail_after(5):
                    async for event in conn:
                        if event.type == "response.done":
                            break
                    else:
                        pytest.fail("the connection ended before response.done")
    # observed: {'type': 'mcp', 'server_label': 'docs', 'name': 'search'}
    assert session["tool_choice"] == whole_server
    assert asked == [whole_server]


async def test_a_function_choice_after_an_mcp_one_carries_nothing_of_it() -> None:
    async with Emulator() as emu:
        async with AsyncOpenAI(api_key="sk-test", base_url=emu.http_url) as client:
            async with client.realtime.connect(model="gpt-realtime") as conn:
                await _updated(conn, {"tool_choice": {"type": "mcp", "server_label": "docs"}})
                session = await _updated(conn, {"tool_choice": {"type": "function", "name": "a"}})
                prompt = {"id": "pmpt_1", "version": "3", "variables": {"city": "Paris"}}
                await _updated(conn, {"prompt": prompt})
                later = await _updated(conn, {"prompt": {"id": "pmpt_2"}})
    # observed: {'type': 'function', 'name': 'a', 'server_label': 'docs'}
    assert session["tool_choice"] == {"type": "function", "name": "a"}
    # observed: {'id': 'pmpt_2', 'version': '3', 'variables': {'city': 'Paris'}}
    assert later["prompt"] == {"id": "pmpt_2"}

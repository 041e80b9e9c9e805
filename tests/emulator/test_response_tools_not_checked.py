"""Review (diff 99126f3): a function tool with no name, or whose ``parameters`` is no JSON
Schema object, is refused at ``session.update`` only. The same tool given in a
``response.create``'s own ``tools`` (the spec's per-response override) is taken, and the
response then fails as the server's error (``server_error``), for the client's mistake:
the defect the fix closed for the session, reachable through the response."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.emulator import Emulator
from tests.emulator.wire import Wire

pytestmark = pytest.mark.anyio

TOOLS = [
    {"type": "function", "name": "get_weather", "description": "weather", "parameters": 5},
    {
        "type": "function",
        "name": "get_weather",
        "description": "weather",
        "parameters": {"type": "object", "properties": "city"},
    },
    {"type": "function", "description": "weather"},
]


@pytest.mark.parametrize("tool", TOOLS, ids=["parameters-5", "properties-a-string", "no-name"])
async def test_a_response_s_own_bad_tool_is_refused_not_a_server_error(
    tool: dict[str, Any],
) -> None:
    async with Emulator() as emu:  # the default model, RuleModel
        wire = await Wire.open(emu.url)
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "What is the weather in Paris?"}],
        }
        await wire.send({"type": "conversation.item.create", "item": item})
        await wire.until("conversation.item.done")
        await wire.send(
            {
                "type": "response.create",
                "response": {"output_modalities": ["text"], "tools": [tool]},
            }
        )
        first = await wire.next()
        if first["type"] == "error":  # refused, naming the tool
            assert first["error"]["type"] == "invalid_request_error", first
            return
        done = (await wire.until("response.done"))[-1]["response"]
        assert done["status"] == "completed", done["status_details"]

"""``session.update`` takes a function tool whose ``parameters`` is not a JSON Schema object
(``5``, ``"x"``, ``{"properties": "x"}``) or that has no ``name``: ``session.updated``, as if
the tool were fine (``FunctionToolDefinition.parameters`` is ``Any``, and ``config.apply_update``
checks nothing more). Every response after it then fails: the default model (``RuleModel``)
raises on the tool (``AttributeError``, ``KeyError``), and ``response.done`` says
``failed`` with a ``server_error``, turn after turn, for what was the client's mistake.

The real API checks a function's parameters as a JSON Schema when the session is updated and
refuses a bad one there, naming the tool; docs/emulator.md: "a bad update changes nothing and
names the `param`". Whichever way the emulator goes, a response must not fail as the
server's error because of a tool the session accepted.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.emulator import Emulator

from .wire import Wire

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
async def test_a_tool_the_session_took_never_fails_a_response(tool: dict[str, Any]) -> None:
    async with Emulator() as emu:  # the default model, RuleModel
        wire = await Wire.open(emu.url)
        update = {"type": "realtime", "output_modalities": ["text"], "tools": [tool]}
        await wire.send({"type": "session.update", "event_id": "c1", "session": update})
        reply = await wire.next()
        if reply["type"] == "error":  # refused, naming the tool: as the real server does
            assert reply["error"]["type"] == "invalid_request_error", reply
            assert (reply["error"]["param"] or "").startswith("session.tools[0]"), reply
            return
        assert reply["type"] == "session.updated"
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "What is the weather in Paris?"}],
        }
        await wire.send({"type": "conversation.item.create", "item": item})
        await wire.until("conversation.item.done")
        await wire.send({"type": "response.create"})
        done = (await wire.until("response.done"))[-1]["response"]
        # Today: {"status": "failed", "status_details": {"type": "failed",
        #   "error": {"type": "server_error", "code": "AttributeError"}}}
        assert done["status"] == "completed", done["status_details"]

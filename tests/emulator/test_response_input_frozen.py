"""The emulator answers ``response.create`` with ``response.created`` at once, before it handles
the next client event (``ServerCore.announce``), "as the API's does: what the client sends after
(an item, say) comes after the response began, and is not in its input". Over the emulator's
websocket, a user message sent right after ``response.create`` is added after
``response.created``, and that response's model does not see it. An emulator that let the late
item in would pass tests that then fail against the API."""

from __future__ import annotations

import json

import anyio
import pytest
from websockets.asyncio.client import connect as ws_connect

from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def _user(text: str) -> str:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    return json.dumps({"type": "conversation.item.create", "item": item})


async def test_an_item_sent_after_response_create_is_not_in_its_input() -> None:
    model = ScriptedModel(["Hello."])
    async with Emulator(model=model) as emu:
        async with ws_connect(emu.url) as ws:
            await ws.send(
                json.dumps({"type": "response.create", "response": {"output_modalities": ["text"]}})
            )
            await ws.send(_user("sent after the response began"))
            order = []
            with anyio.fail_after(5):
                while not order or order[-1] != "response.done":
                    order.append(json.loads(await ws.recv())["type"])
    assert order.index("response.created") < order.index("conversation.item.added")
    seen = [item.get("content") for item in model.contexts[0].items]
    assert seen == [], f"the response's model saw the later item: {seen}"

"""The emulator refuses a client's item whose id is longer than 32 characters, as the API
does (``string_above_max_length`` on ``item.id``), so that a client that makes such ids
fails here as it would there; an id of 32 is taken."""

from __future__ import annotations

import pytest

from rtagents.emulator import Emulator

from .wire import Wire

pytestmark = pytest.mark.anyio


def message(item_id: str) -> dict[str, object]:
    content = [{"type": "input_text", "text": "hi"}]
    item = {"type": "message", "role": "user", "id": item_id, "content": content}
    return {"type": "conversation.item.create", "item": item}


async def test_an_item_id_over_32_characters_is_refused() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        error = await wire.expect_error(message("x" * 33))
        assert error["code"] == "string_above_max_length" and error["param"] == "item.id"
        assert "maximum length 32, but got a string with length 33" in error["message"]
        await wire.send(message("y" * 32))
        added = await wire.until("conversation.item.added")
        assert added[-1]["item"]["id"] == "y" * 32
        await wire.ws.close()

"""A client's ``conversation.item.create`` may carry fields named like the emulator's own
bookkeeping (``_audio_ms``, ``_pcm``): the item model keeps unknown fields (``extra="allow"``)
and ``handlers.conversation_item_create`` stores them in the conversation as they came.

The emulator then reads them as its own: ``usage.usage`` sums ``_audio_ms`` (a string there
fails outside the response's ``try``, ``Jobs._go`` logs "emulator job failed" with a traceback
and the response ends with no ``response.done``: the client waits for ever), and
``conversation.full_item`` base64-encodes ``_pcm`` (a ``server_error``, with a traceback).

The real server refuses a parameter it does not have (``unknown_parameter``, as the emulator
itself does for ``session.update``); whatever the emulator answers, a response it started
must end, and a client's mistake is never a ``server_error``.
"""

from __future__ import annotations

import pytest

from rtagents.emulator import Emulator, ScriptedModel

from .wire import Wire

pytestmark = pytest.mark.anyio


def user_item(**extra: object) -> dict[str, object]:
    content = [{"type": "input_text", "text": "hello"}]
    item = {"type": "message", "role": "user", "content": content, **extra}
    return {"type": "conversation.item.create", "event_id": "c1", "item": item}


async def test_an_item_with_a_bookkeeping_field_never_leaves_a_response_hanging(
    log_lines: list[str],
) -> None:
    async with Emulator(model=ScriptedModel(["Hi."])) as emu:
        wire = await Wire.open(emu.url)
        await wire.send(user_item(_audio_ms="lots"))
        first = await wire.next()
        if first["type"] != "error":  # accepted: then the response it reads must end
            await wire.until("conversation.item.done")
            await wire.send(
                {"type": "response.create", "response": {"output_modalities": ["text"]}}
            )
            # Today: response.created ... conversation.item.done, then nothing.
            seen = await wire.until("response.done", timeout=3)
            assert seen[-1]["response"]["status"] == "completed"
        await wire.ws.close()
    assert not [line for line in log_lines if "emulator job failed" in line], log_lines


async def test_retrieving_an_item_with_a_bookkeeping_field_is_no_server_error() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.send(user_item(id="u1", _pcm="not bytes"))
        first = await wire.next()
        if first["type"] != "error":
            await wire.next()  # conversation.item.done
            await wire.send(
                {"type": "conversation.item.retrieve", "event_id": "c2", "item_id": "u1"}
            )
            reply = await wire.next()
            # Today: {"type": "server_error", "code": "server_error", "message": "The server had
            # an error: a bytes-like object is required, not 'str'"}
            assert reply["type"] == "conversation.item.retrieved", reply
        else:
            assert first["error"]["type"] == "invalid_request_error", first
        await wire.ws.close()

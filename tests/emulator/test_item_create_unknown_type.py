"""The emulator accepts ``conversation.item.create`` with an item the Realtime API does not
have (an unknown ``type``, a ``developer`` role, an ``item_reference``), adds it to the
conversation, and echoes it in ``conversation.item.added``/``done`` frames that the openai
SDK's own server-event types reject.

The SDK's ``ConversationItemCreateEvent.item`` is ``ConversationItem``: exactly the nine
typed items (system/user/assistant messages, function_call, function_call_output,
mcp_approval_request/response, mcp_list_tools, mcp_call), and its
``ConversationItemAdded.item`` admits nothing else; ``item_reference`` is only valid inside
``response.input``. The server answers such an item with an ``invalid_request_error`` naming
``item.type`` (or ``item.role``), as the emulator already does for ``response.input``
(conversation.py ``_input_item``). The slip is the catch-all ``UnknownItem`` of
``rtagents.protocol.items.ConversationItem`` being used to validate *client* events.
"""

from __future__ import annotations

import pytest

from tests.emulator.sansio import Core


@pytest.mark.parametrize(
    "item, param",
    [
        ({"type": "reasoning", "id": "r1"}, "item.type"),
        ({"type": "item_reference", "id": "item_x"}, "item.type"),
        (
            {
                "type": "message",
                "role": "developer",
                "content": [{"type": "input_text", "text": "x"}],
            },
            "item.role",
        ),
    ],
    ids=["unknown-type", "item_reference", "developer-role"],
)
def test_item_of_no_realtime_type_is_refused(item: dict, param: str) -> None:
    core = Core()
    # Core.send validates every emitted event with the SDK's RealtimeServerEvent: today it
    # raises there, because the emulator echoed the item back in conversation.item.added.
    events = core.send({"type": "conversation.item.create", "item": item})
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert errors and errors[0]["type"] == "invalid_request_error", events
    assert errors[0]["param"] == param
    assert core.core.conversation.items == []

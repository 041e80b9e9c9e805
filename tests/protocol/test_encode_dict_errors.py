"""``encode_client_event`` of a dict that breaks the schema raises ``ProtocolError``, and no
error carries a secret.

Rules: docs/protocol.md, "A client event that breaks its schema raises ``ProtocolError`` whose
``param`` is the path from the event's root" (``encode_client_event`` "also takes a dict,
which it validates first"); and the project's "secrets (API keys, auth headers, URL tokens)
never in logs/events/spans/reprs/errors".

``encode_client_event`` (and ``encode_live_client_event``) validate a dict with the bare
pydantic adapter, so a bad dict raises pydantic's ``ValidationError`` (not a
``ProtocolError``: ``except rtagents.ProtocolError`` misses it), and pydantic's message quotes
the offending object's ``input_value``: for a hosted MCP tool with a missing field, the tool
dict with its ``authorization`` token (its
last twenty-odd characters, pydantic eliding the middle of a long value). ``parse_client_event`` does it right (``ProtocolError``
from None, paths and messages only).
"""

from __future__ import annotations

import pytest

from rtagents import ProtocolError
from rtagents.protocol import encode_client_event

TOKEN = "Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789"


def _bad_update() -> dict:
    tool = {"type": "mcp", "server_url": "https://mcp.example.com/mcp", "authorization": TOKEN}
    return {"type": "session.update", "session": {"type": "realtime", "tools": [tool]}}


def test_a_bad_dict_raises_protocol_error_naming_the_param() -> None:
    with pytest.raises(ProtocolError) as caught:
        encode_client_event(_bad_update())
    assert caught.value.param == "session.tools[0].server_label"


def test_the_error_of_a_bad_dict_does_not_carry_its_secret() -> None:
    with pytest.raises(Exception) as caught:
        encode_client_event(_bad_update())
    shown = str(caught.value) + repr(caught.value)
    # pydantic elides the middle of a long input_value, so look for any piece of the token.
    pieces = {TOKEN[i : i + 12] for i in range(len(TOKEN) - 11)}
    assert not [piece for piece in pieces if piece in shown], shown


def test_a_live_event_dict_raises_protocol_error_without_its_secret() -> None:
    from rtagents.protocol.live import encode_live_client_event

    tool = {"type": "function", "description": TOKEN}  # (no name)
    responses = {"model": "gpt-5.5", "tools": [tool]}
    delegation = {"type": "responses", "responses": responses}
    start = {"type": "session.start", "session": {"model": "gpt-live-1", "delegation": delegation}}
    with pytest.raises(ProtocolError) as caught:
        encode_live_client_event(start)
    assert caught.value.param is not None
    assert caught.value.param.startswith("session.delegation.responses.tools[0]")
    assert TOKEN[-12:] not in str(caught.value) + repr(caught.value)


@pytest.mark.anyio
async def test_create_response_with_bad_overrides_raises_protocol_error_without_its_secret() -> (
    None
):
    import rtagents
    from rtagents.emulator import Emulator

    tool = {"type": "mcp", "server_url": "https://mcp.example.com/mcp", "authorization": TOKEN}
    async with Emulator() as emu:
        async with rtagents.connect(rtagents.Agent(name="a"), transport=emu.transport()) as s:
            with pytest.raises(ProtocolError) as caught:
                await s.create_response(tools=[tool])
            assert caught.value.param == "response.tools[0].server_label"
            assert TOKEN[-12:] not in str(caught.value) + repr(caught.value)
            await s.create_response(conversation="none", instructions="fine")  # goes on
        sent = [e for e in emu.last.received if e["type"] == "response.create"]
    assert len(sent) == 1 and sent[0]["response"]["conversation"] == "none"

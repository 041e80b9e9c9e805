"""A ``session.update`` with a parameter the GA Realtime API does not have is refused, as the
real server refuses it (``invalid_request_error``, ``unknown_parameter``, naming the param:
"Unknown parameter: 'session.input_audio_format'." for the beta API's field, and
"Unknown parameter: 'session.tools[2].meta'." below the top, as clients have reported).

docs/emulator.md says ``session.update`` is "like the real server": "a bad update changes
nothing and names the ``param``". The emulator takes any field anywhere and answers
``session.updated``: a client (or an ``Agent(session_options=...)``) still sending the beta
API's fields passes every offline test and fails against the API."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.emulator import Emulator

from .wire import Wire

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("session", "param"),
    [
        ({"input_audio_format": "pcm16"}, "session.input_audio_format"),
        ({"modalities": ["text"]}, "session.modalities"),
        (
            {"tools": [{"type": "function", "name": "f", "parameters": {}, "meta": {}}]},
            "session.tools[0].meta",
        ),
    ],
    ids=["beta-input_audio_format", "beta-modalities", "nested"],
)
async def test_an_unknown_session_parameter_is_refused(session: dict[str, Any], param: str) -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.send({"type": "session.update", "session": {"type": "realtime", **session}})
        reply = await wire.next()
        await wire.ws.close()
    assert reply["type"] == "error", f"the emulator took {session}: {reply['type']}"
    assert (reply["error"]["code"], reply["error"]["param"]) == ("unknown_parameter", param)

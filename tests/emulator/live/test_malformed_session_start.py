"""A ``session.start`` the emulator's GPT-Live server cannot take is refused whole: an
``invalid_request_error`` naming the parameter, nothing recorded, the connection kept, so a
corrected one starts the session. A ``session.update`` it cannot take changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtagents.emulator import Emulator

from .sansio import Live, responses
from .wire import LiveWire

pytestmark = pytest.mark.anyio

QUESTION_WITHOUT_INSTRUCTIONS = {
    "type": "decisions",
    "event_type": "session.input_transcript.delta",
    "decisions": {"questions": [{"type": "predicate", "name": "angry"}]},
}
MCP_WITHOUT_LABEL = {"type": "mcp", "server_url": "https://mcp.example"}

REFUSED = [
    ({"instructions": 5}, "invalid_value", "session.instructions"),
    ({"triggers": 5}, "invalid_value", "session.triggers"),
    (
        {"triggers": [QUESTION_WITHOUT_INSTRUCTIONS]},
        "missing_required_parameter",
        "session.triggers[0].decisions.questions[0].instructions",
    ),
    ({"input": 5}, "invalid_value", "session.input"),
    (
        {"input": [{"role": "user", "content": "Hi"}]},
        "invalid_value",
        "session.input[0].content",
    ),
    (
        {"delegation": responses(MCP_WITHOUT_LABEL)},
        "missing_required_parameter",
        "session.delegation.responses.tools[0].server_label",
    ),
]


@pytest.mark.parametrize(("session", "code", "param"), REFUSED, ids=lambda v: str(v)[:40])
async def test_a_session_start_it_cannot_take_is_refused_and_a_corrected_one_starts(
    session: dict[str, Any], code: str, param: str
) -> None:
    async with Emulator() as emu:
        wire = await LiveWire.open(emu.live_url)
        bad = {"type": "session.start", "event_id": "s1", "session": {"model": "m", **session}}
        await wire.ws.send(json.dumps(bad))  # (not through the SDK's check: it is malformed)
        error = (await wire.next())["error"]
        assert error["type"] == "invalid_request_error", error
        assert (error["code"], error["param"], error["client_event_id"]) == (code, param, "s1")

        good = {"type": "session.start", "event_id": "s2", "session": {"model": "gpt-live-1"}}
        await wire.send(good)
        started = await wire.next()
        assert started["type"] == "session.started", started
        assert started["client_event_id"] == "s2"
        await wire.close()


async def test_instructions_alone_gone_wrong_are_no_fork() -> None:
    async with Emulator() as emu:
        wire = await LiveWire.open(emu.live_url)
        await wire.ws.send(json.dumps({"type": "session.start", "session": {"instructions": 5}}))
        error = (await wire.next())["error"]
        assert (error["type"], error["param"]) == ("invalid_request_error", "session.instructions")
        await wire.close()


def test_a_session_update_it_cannot_take_changes_nothing() -> None:
    live = Live()
    before = live.start(delegation=responses())
    update = {"type": "session.update", "session": {"delegation": responses(MCP_WITHOUT_LABEL)}}
    error = live.error_for(update)
    assert error["type"] == "invalid_request_error", error
    assert (error["code"], error["param"]) == (
        "missing_required_parameter",
        "session.delegation.responses.tools[0].server_label",
    )
    assert live.core.session["delegation"] == before["delegation"]
    assert live.send({"type": "session.update", "session": {"delegation": responses()}})

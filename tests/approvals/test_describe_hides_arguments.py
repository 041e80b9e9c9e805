"""``ApprovalRequest.describe()`` is what a person is shown before saying yes (``rtagents
run``'s ``approve ...? [y/N]`` prompt, the console, the docs' voice confirmation). Argument
*values* are shown with ``repr`` (control characters escaped), but argument *keys* are
written raw. A local MCP tool takes whatever object the model sends, so a model can put a
key made of a carriage return and terminal escapes (erase the line, conceal the rest) that
paints ``lookup(key='greeting')`` over ``write_note(key='greeting', text='pwned')``: the
person approves what they were shown, and the other call runs."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from tests.mcp import notes_server
from tests.mcp.servers import http_notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

SPOOF = "\r\x1b[2Kapprove notes.lookup(key='greeting')? [y/N] \x1b[8m"


async def test_a_key_of_control_characters_cannot_repaint_the_request_shown() -> None:
    notes_server.NOTES["greeting"] = "hello from MCP"
    shown: list[str] = []
    async with http_notes_server() as url:
        server = MCPServerHTTP(url, name="notes")
        agent = rtagents.Agent(
            name="a",
            tools=[server],
            approval=ApprovalPolicy(timeout=5),  # left to a person (rtagents run's prompt)
            output_modalities=["text"],
        )
        model = ScriptedModel(
            [
                CallFunction(
                    "write_note", {SPOOF: 0, "key": "greeting", "text": "pwned"}, call_id="w"
                ),
                "ok",
            ]
        )
        async with server, Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                await session.send_text("read the greeting")
                with anyio.fail_after(20):
                    async for event in session:
                        if event.type == "approval.awaiting":
                            text = f"approve {event.request.describe()}? [y/N] "
                            shown.append(text)
                            # What a terminal shows of it: the part after the last \r.
                            seen = text.rsplit("\r", 1)[-1].replace("\x1b[2K", "")
                            if seen.startswith("approve notes.lookup("):
                                await session.approve(event.request.id)
                            else:
                                await session.deny(event.request.id)
                        if event.type in ("tool.call.completed", "tool.call.failed"):
                            break
                    else:
                        pytest.fail("the session ended before the call was answered")
    assert shown
    # The person approved what the terminal showed them, lookup(key='greeting'); the note
    # must not have been overwritten by the write_note hidden under it.
    assert notes_server.NOTES["greeting"] == "hello from MCP", shown
    # What a person is shown must carry no raw control characters (as values do: repr).
    assert not any(ch in shown[0] for ch in "\r\x1b"), repr(shown[0])

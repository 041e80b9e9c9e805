"""Text UTF-8 cannot carry (a lone surrogate: what ``os.fsdecode`` gives for a file name that
is not UTF-8) goes to the server with U+FFFD in its place. A tool that returns such a name, or
fails on it, is answered once, and its turn asks for one response; nothing is lost."""

from __future__ import annotations

import json
import os
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.protocol import ConversationItemCreate, encode_client_event

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

NAME = os.fsdecode(b"caf\xe9.txt")  # "caf\udce9.txt"


@rtagents.tool
def list_files() -> str:
    """List the files."""
    return f"report.txt, {NAME}"


@rtagents.tool
def open_file() -> str:
    """Open the file."""
    raise FileNotFoundError(f"no such file: {NAME!s}")


def _outputs(received: list[dict[str, Any]]) -> list[str]:
    return [
        e["item"]["output"]
        for e in received
        if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"
    ]


async def _turn(tool: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    model = ScriptedModel([CallFunction(tool.name, {}, call_id="call_1"), "done"])
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(name="a", tools=[tool], output_modalities=["text"])
        async with rtagents.connect(agent, url=emu.url) as session:
            session.on("*")(events.append)
            await session.send_text("what files are there?")
            with anyio.fail_after(5):
                while len([e for e in events if e.type == "response.done"]) < 2:
                    await anyio.sleep(0.01)
            await anyio.sleep(0.3)  # long enough for a second response.create to show
            assert session.closed_reason is None
        return list(emu.last.received), events


async def test_a_tool_result_with_a_lone_surrogate_is_sent_once_with_a_replacement() -> None:
    received, events = await _turn(list_files)
    assert _outputs(received) == ["report.txt, caf\ufffd.txt"]
    assert [e["type"] for e in received].count("response.create") == 2  # the user's, the call's
    assert not [e for e in events if e.type == "session.warning"]


async def test_a_tool_failure_naming_a_lone_surrogate_is_sent_once() -> None:
    received, _ = await _turn(open_file)
    [output] = _outputs(received)
    assert json.loads(output)["error"] == "error"
    assert "caf\ufffd.txt" in output
    assert [e["type"] for e in received].count("response.create") == 2


async def test_text_the_app_sends_with_a_lone_surrogate_is_sent_with_a_replacement() -> None:
    async with (
        Emulator(model=ScriptedModel(["ok"])) as emu,
        rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as session,
    ):
        await session.send_text(f"open {NAME}", respond=False)
        with anyio.fail_after(5):
            while not [e for e in emu.last.received if e["type"] == "conversation.item.create"]:
                await anyio.sleep(0.01)
    [sent] = [e for e in emu.last.received if e["type"] == "conversation.item.create"]
    assert sent["item"]["content"][0]["text"] == "open caf\ufffd.txt"


def test_the_encoder_replaces_lone_surrogates_and_keeps_the_rest() -> None:
    event = ConversationItemCreate.model_validate(
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "c", "output": f"\u00e9 {NAME}"},
        }
    )
    frame = encode_client_event(event)
    assert json.loads(frame)["item"]["output"] == "\u00e9 caf\ufffd.txt"
    assert frame.encode("utf-8")  # what the wire carries


async def test_on_gpt_live_a_tool_result_with_a_lone_surrogate_is_sent_once() -> None:
    from .live.harness import speak, spoken, until

    def echo(ctx: Any) -> str:
        return " | ".join(o["output"] for o in ctx.pending_outputs)

    model = ScriptedModel([CallFunction("list_files", {}), echo])
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(tools=[list_files])
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(session, lambda seen: "caf\ufffd.txt" in spoken(seen))
            await anyio.sleep(0.3)
        received = list(emu.last.received)
    items = [e["item"] for e in received if e["type"] == "response.item.create"]
    assert [i["output"] for i in items] == ["report.txt, caf\ufffd.txt"]
    assert [e["type"] for e in received].count("response.create") == 1

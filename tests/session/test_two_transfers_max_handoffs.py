"""Two transfers in one response both switch, past ``max_handoffs``.

docs/handoffs.md: "``max_handoffs`` bounds how many handoffs may follow each other since
the user last spoke; past it, the leaving agent's transfer tool does not switch and
answers with an error". ``Handoffs.transfer`` checks the count before its switch and adds
to it only after the server answered the ``session.update``, so two transfer calls of one
response both pass the check. Right behaviour: with ``max_handoffs=1`` the second transfer
in a row is refused (``tool.call.failed``) and only one ``handoff`` happens."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_two_transfers_in_one_response_respect_max_handoffs() -> None:
    billing = rtagents.Agent(name="billing", output_modalities=["text"])
    sales = rtagents.Agent(name="sales", output_modalities=["text"])
    desk = rtagents.Agent(
        name="desk", handoffs=[billing, sales], max_handoffs=1, output_modalities=["text"]
    )
    model = ScriptedModel(
        [
            [
                CallFunction("transfer_to_billing", call_id="h1"),
                CallFunction("transfer_to_sales", call_id="h2"),
            ],
            "Here.",
        ]
    )
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(desk, url=emu.url) as session:
            session.on("*")(events.append)
            with anyio.fail_after(10):
                await session.ask("help")
    handoffs = [(e.from_agent, e.to_agent) for e in events if e.type == "handoff"]
    assert len(handoffs) == 1, handoffs

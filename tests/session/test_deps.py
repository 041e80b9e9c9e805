"""``connect(..., deps=...)`` gives tools the app's own state, typed as ``ToolContext[Deps]``."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import sent_outputs

pytestmark = pytest.mark.anyio


@dataclass
class Shop:
    stock: dict[str, int] = field(default_factory=lambda: {"apple": 3})


@rtagents.tool
def in_stock(ctx: rtagents.ToolContext[Shop], item: str) -> int:
    """How many of an item are in stock."""
    assert ctx.session is not None and ctx.session.deps is ctx.deps
    return ctx.deps.stock.get(item, 0)


async def test_tools_get_the_apps_deps() -> None:
    assert "ctx" not in in_stock.parameters["properties"]  # never in the schema
    agent = rtagents.Agent(name="shop", tools=[in_stock], output_modalities=["text"])
    script = ScriptedModel([CallFunction("in_stock", {"item": "apple"}, call_id="c"), "3 apples"])
    shop = Shop()
    async with Emulator(model=script) as emu:
        async with rtagents.connect(agent, transport=emu.transport(), deps=shop) as session:
            assert session.deps is shop
            await session.ask("apples?")
        assert sent_outputs(emu.last.received)["c"] == "3"

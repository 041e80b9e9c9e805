"""Rule: a common mistake gets a clear error at the point of the mistake. Writing
``@session.on`` without the event type (as with many event libraries' bare decorators)
raises ``TypeError: 'function' object is not iterable`` from inside difflib; a mature
library says that ``on`` takes an event type string (``@session.on("tool.call.completed")``)."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_bare_on_decorator_says_what_on_takes() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with pytest.raises(TypeError) as info:

                @session.on  # type: ignore[arg-type]
                def handler(event: object) -> None:
                    pass

            assert "not iterable" not in str(info.value), str(info.value)
            assert "event type" in str(info.value) or "on(" in str(info.value), str(info.value)

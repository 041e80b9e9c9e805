"""``Emulator(model="gpt-realtime")``: ``model`` is a model *name* everywhere else a newcomer
meets it (``Agent(model=...)``, ``connect(model=...)``, the real API), but the emulator's is
the stand-in model object (``RuleModel()``, ``ScriptedModel([...])``). A string (or the class
``RuleModel`` without its parentheses) is accepted without a word; every response then fails
inside the emulator ("emulator model failed: AttributeError: 'str' object has no attribute
'respond'" in the log), and the README's loop, which waits for the answer's transcript, waits
for ever. The argument should be refused where it is given, naming what to pass.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, RuleModel


@pytest.mark.anyio
@pytest.mark.parametrize("model", ["gpt-realtime", RuleModel], ids=["a-name", "the-class"])
async def test_a_model_that_is_not_an_emulator_model_is_refused(model: object) -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    with anyio.fail_after(10):
        with pytest.raises((TypeError, ValueError), match="model"):
            async with Emulator(model=model) as emu:  # type: ignore[arg-type]
                async with rtagents.connect(agent, url=emu.url) as session:
                    events = await session.ask("What's the weather in Paris?")
                    done = [e for e in events if e.type == "response.done"]
                    pytest.fail(
                        f"Emulator(model={model!r}) was taken; its answer: "
                        f"{done[-1].response.status if done else None!r}"
                    )

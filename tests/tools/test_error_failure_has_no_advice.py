"""docs/tools.md:481-483: "A tool that raises, times out, is cancelled or is denied does not
end the session: the model gets an output saying so, as a JSON object with `error`
(`invalid_arguments`, `unknown_tool`, `error`, `timeout`, `cancelled`, `denied` or
`unavailable`), the `tool`, a `message` and advice."

The default formatter (rtagents/tools/failures.py, ``_ADVICE``) has advice for every kind
but ``error``: the output of a tool that raises, the first case the sentence names, carries
no advice.
"""

from __future__ import annotations

import json

import anyio

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel


@rtagents.tool
def charge(amount: int) -> str:
    """Charge the card."""
    raise RuntimeError("gateway down")


async def _failed_output() -> dict:
    agent = rtagents.Agent(name="a", tools=[charge], output_modalities=["text"])
    script = ScriptedModel([CallFunction("charge", {"amount": 5}), "Sorry."])
    async with Emulator(model=script) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            events = await session.ask("Charge 5.")
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    return json.loads(failed.output)


def test_a_raising_tools_output_has_error_tool_message_and_advice() -> None:
    body = anyio.run(_failed_output)
    assert body["error"] == "error" and body["tool"] == "charge" and "message" in body
    assert "advice" in body, f"the model read {body}: no advice"

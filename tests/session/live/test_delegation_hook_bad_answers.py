"""An ``on_delegation`` hook whose answer cannot be sent: like a hook that raises
(``session/delegation.py``: "A hook that fails is reported as a ``session.warning``, and
the model is told, silently, that the work could not be done, so that it does not wait for
an answer that will not come"), the model must be told, and the session must say why."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.session.delegation import FAILED
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "answer",
    [42, rtagents.Thinking(None), rtagents.Thinking(7)],  # type: ignore[arg-type]
    ids=["int", "thinking-none", "thinking-int"],
)
async def test_an_answer_that_cannot_be_sent_tells_the_model(answer: Any) -> None:
    def on_delegation(delegation: rtagents.Delegation) -> Any:
        return answer

    agent = rtagents.Agent(instructions="Orders.", on_delegation=on_delegation)
    async with Emulator(model=ScriptedModel([CallFunction("lookup", {"order": 7})])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            seen = await until(session, lambda s: any(e.type == "session.warning" for e in s))
            warnings = [e.message for e in seen if e.type == "session.warning"]
            try:
                with anyio.fail_after(3):  # the FAILED thinking goes with the warning
                    while not [
                        e for e in emu.last.received if e["type"] == "session.thinking.append"
                    ]:
                        await anyio.sleep(0.01)
            except TimeoutError:
                pytest.fail(f"the model was never told; the app was told {warnings}")
            told = [e for e in emu.last.received if e["type"] == "session.thinking.append"]
    assert any("on_delegation" in w for w in warnings), warnings
    assert [e["content"] for e in told] == [FAILED]

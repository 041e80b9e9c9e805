"""Which tools a transfer's ``session.update`` carries (sans I/O, against a stand-in for the
runner): those the session took for the transfer, and, while nothing switched since, a
relisting of the new agent's MCP server made meanwhile."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.trace import INVALID_SPAN

import rtagents
from rtagents.errors import SessionConfigError
from rtagents.session.handoff import Handoffs, TransferTool

pytestmark = pytest.mark.anyio


class Runner(SimpleNamespace):
    """What ``Handoffs`` reaches of the runner: the configurations it sends, by the voice and
    the tools in each; a first one with a voice is refused, as a Realtime server refuses a new
    voice once the assistant has spoken, while ``meanwhile`` happens."""

    def __init__(self, tools: list[str], meanwhile: Any) -> None:
        super().__init__(
            tools=tools, dispatcher=SimpleNamespace(offers=SimpleNamespace(switches=1))
        )
        self.sent: list[tuple[str | None, Any]] = []
        self.meanwhile = meanwhile
        self.core = None
        self.delivered: list[Any] = []

    def deliver(self, event: Any, size: int = 0, frame: Any = None) -> None:
        self.delivered.append(event)

    def use(self, agent: Any, keep_for: Any = None, how: str = "switch", back_to: int = 0) -> None:
        self.agent = agent
        self.dispatcher.offers.switches += how in ("switch", "app")

    async def configure(self, agent: Any, *, force: bool = False) -> bool:
        self.sent.append((agent.voice, self.tools))
        if agent.voice is not None:
            self.meanwhile(self)
            raise SessionConfigError("voice", code="cannot_update_voice")
        return True


async def test_a_voice_retry_sends_the_tools_of_a_relist_made_meanwhile() -> None:
    def relist(runner: Runner) -> None:
        runner.tools = ["notes_v2"]
        runner.use(runner.agent, how="again")

    runner = Runner(["notes_v1"], relist)
    billing = runner.agent = rtagents.Agent(name="billing", voice="ash")
    await _configure(runner, rtagents.Agent(name="bank"), billing)
    assert runner.sent == [("ash", ["notes_v1"]), (None, ["notes_v2"])]
    assert [e.type for e in runner.delivered] == ["handoff", "session.warning"]


async def test_a_voice_retry_after_another_switch_is_not_sent() -> None:
    """Another agent taken meanwhile (a later transfer, the app's ``update_agent``): the
    refusal stands, and the retry would send tools the session no longer has for it."""

    def switch(runner: Runner) -> None:
        runner.tools = ["take_note"]
        runner.use(rtagents.Agent(name="support"))

    runner = Runner(["wire_money"], switch)
    billing = rtagents.Agent(name="billing", voice="ash")
    with pytest.raises(Exception, match="not transferred to billing"):
        await _configure(runner, rtagents.Agent(name="bank"), billing)
    assert runner.sent == [("ash", ["wire_money"])]
    assert runner.delivered == []  # refused: no handoff told


async def _configure(runner: Runner, source: rtagents.Agent, target: rtagents.Agent) -> Any:
    handoffs = Handoffs(runner)
    tool = TransferTool(rtagents.Handoff(target), handoffs)
    return await handoffs._configure(source, tool, "call_1", 1, INVALID_SPAN)

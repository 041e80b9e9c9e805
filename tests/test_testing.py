"""rtagents.testing: what users write to test their agents offline."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.testing import CallFunction, Realtime, SessionRecord

pytestmark = pytest.mark.anyio


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


@rtagents.tool(needs_approval=True)
def delete_account(user: str) -> str:
    """Delete an account."""
    return "deleted"


agent = rtagents.Agent(
    name="t",
    tools=[get_weather, delete_account],
    approval=rtagents.ApprovalPolicy(rules=[rtagents.deny(tool="delete_*", reason="never")]),
    output_modalities=["text"],
)


async def test_the_fixture_in_a_few_lines(realtime: Realtime) -> None:
    record = await realtime.run(
        agent,
        [CallFunction("get_weather", {"city": "Paris"}), "Sunny in Paris."],
        say="Weather in Paris?",
    )
    record.assert_called("get_weather", city="Paris")
    assert record.call("get_weather").output == "sunny in Paris"
    assert record.reply == "Sunny in Paris."
    record.assert_not_called("delete_account")
    assert record.model_contexts[0].last_user_text == "Weather in Paris?"


async def test_approvals_and_failures(realtime: Realtime) -> None:
    script = [CallFunction("delete_account", {"user": "ann"}), "I can't do that."]
    record = await realtime.run(agent, script, say="Delete ann")
    record.assert_approval("delete_account", approved=False, by="rule")
    assert record.call("delete_account").failure == "denied"
    assert record.reply == "I can't do that."


async def test_assertion_messages_say_what_happened(realtime: Realtime) -> None:
    record = await realtime.run(
        agent, [CallFunction("get_weather", {"city": "Rome"}), "ok"], say=["hi"]
    )
    with pytest.raises(
        AssertionError,
        match=r"no call get_weather\(city='Paris'\); calls: get_weather\(city='Rome'\) -> 'sunny in Rome'",
    ):
        record.assert_called("get_weather", city="Paris")
    with pytest.raises(AssertionError, match="'get_weather' was called"):
        record.assert_not_called("get_weather")
    with pytest.raises(AssertionError, match="approvals: none"):
        record.assert_approval("delete_account", approved=True)
    with pytest.raises(AssertionError, match="expected one call of 'nothing', got 0"):
        record.call("nothing")
    assert isinstance(record, SessionRecord)


async def test_a_run_that_times_out_says_what_it_waited_for() -> None:
    import pytest

    from rtagents.emulator import CallFunction
    from rtagents.testing import run_agent

    @rtagents.tool(needs_approval=True)
    def launch(target: str) -> str:
        """Launch."""
        return "launched"

    agent = rtagents.Agent(
        name="l",
        tools=[launch],
        approval=rtagents.ApprovalPolicy(timeout=60),
        output_modalities=["text"],
    )
    with pytest.raises(TimeoutError, match=r"approval of launch\(target='moon'\)"):
        await run_agent(
            agent, [CallFunction("launch", {"target": "moon"}), "done"], "go", within=0.5
        )

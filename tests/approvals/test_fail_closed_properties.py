"""Properties of the approval gate: whatever a handler returns and whatever arguments the model
sends, a tool runs only on an explicit, well-typed yes, and every call is answered."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, Decision
from rtagents.approvals.broker import ApprovalBroker
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import sent_outputs

pytestmark = pytest.mark.anyio

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
# Anything a handler might return: bools, near-bools, Decisions of any approve, junk.
answers = st.one_of(
    st.booleans(),
    st.none(),
    st.integers(-1, 2),
    st.sampled_from(["yes", "true", "True", "no", "", "false"]),
    st.builds(Decision, st.one_of(st.booleans(), json_values)),
    json_values,
)


def is_yes(answer: Any) -> bool:
    return answer is True or (isinstance(answer, Decision) and answer.approve is True)


def request(kind: str, arguments: dict[str, Any]) -> ApprovalRequest:
    return ApprovalRequest(
        id="r1",
        kind=kind,  # type: ignore[arg-type]
        tool_name="act",
        arguments=arguments,
        server_label=None if kind == "function" else "srv",
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answer=answers,
    kind=st.sampled_from(["function", "mcp_local", "mcp_hosted"]),
    arguments=st.dictionaries(st.text(max_size=5), json_values, max_size=4),
    sync=st.booleans(),
)
async def test_the_gate_approves_only_an_explicit_yes(
    answer: Any, kind: str, arguments: dict[str, Any], sync: bool
) -> None:
    events: list[Any] = []

    def handler(r: ApprovalRequest) -> Any:
        return answer

    async def async_handler(r: ApprovalRequest) -> Any:
        return answer

    policy = ApprovalPolicy(handler=handler if sync else async_handler, timeout=0.05)
    broker = ApprovalBroker(
        policy,
        events.append,
        hosted_servers=lambda: {"srv": HostedMCP("srv", "https://mcp.example")},
    )
    decision = await broker.decide(request(kind, arguments))
    assert decision.approve is is_yes(answer)
    assert type(decision.approve) is bool
    # None leaves the request to an outside answer (none comes here: the timeout denies)
    awaiting = ["approval.awaiting"] if answer is None else []
    assert [e.type for e in events] == ["approval.requested", *awaiting, "approval.decided"]
    assert events[-1].approve is decision.approve


ran: list[str] = []


@rtagents.tool(needs_approval=True)
def act(data: Any = None, note: str = "") -> str:
    """Do something that needs approval."""
    ran.append("act")
    return "done"


arguments_text = st.one_of(
    json_values.map(lambda v: json.dumps({"data": v})),
    json_values.map(json.dumps),
    st.text(max_size=20),
    st.integers(1, 3000).map(lambda n: '{"data": ' + "[" * n + "]" * n + "}"),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answer=answers, arguments=arguments_text)
async def test_a_session_runs_a_tool_only_on_an_explicit_yes(answer: Any, arguments: str) -> None:
    ran.clear()
    agent = rtagents.Agent(
        name="p",
        tools=[act],
        approval=ApprovalPolicy(handler=lambda r: answer, timeout=0.2),
        output_modalities=["text"],
    )
    turns = [CallFunction("act", arguments, call_id="c1"), "ok"]
    async with Emulator(model=ScriptedModel(turns)) as emu:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                await session.send_text("go")
                async for event in session:
                    assert event.type != "session.closed"
                    if event.type == "response.done" and event.response.output[0].type == "message":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        outputs = sent_outputs(emu.last.received)
    assert "c1" in outputs  # answered, whatever happened
    if ran:
        assert is_yes(answer) and outputs["c1"] == "done"
    else:
        assert json.loads(outputs["c1"])["error"] in ("denied", "invalid_arguments")

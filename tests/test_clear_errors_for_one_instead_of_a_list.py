"""A newcomer's slip, one thing where a list is wanted, gets an internal error.

`Agent(tools=one_tool)` was made to say what `tools` takes (tests/test_agent_tools_not_a_list.py);
its siblings still leak `'X' object is not iterable` / `AttributeError` from inside rtagents,
naming neither the argument nor what it takes.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Toolset
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP


@rtagents.tool
def search(query: str) -> str:
    """Search the web."""
    return "results"


def polite(text: str) -> GuardrailResult:
    return PASS


billing = rtagents.Agent(name="billing", instructions="You handle refunds.")


def test_one_handoff_target_is_refused_saying_what_handoffs_takes() -> None:
    # docs/agent.md: `handoffs=[billing]`; observed: TypeError "'Agent' object is not iterable"
    with pytest.raises(TypeError, match=r"handoffs"):
        rtagents.Agent(name="triage", handoffs=billing)  # type: ignore[arg-type]


def test_one_tool_in_a_toolset_is_refused_saying_what_tools_takes() -> None:
    # docs/tools.md: `Toolset("mail", [search, send_email])`;
    # observed: TypeError "'FunctionTool' object is not iterable"
    with pytest.raises(TypeError, match=r"Toolset 'mail'.*(list|sequence)"):
        Toolset("mail", search)  # type: ignore[arg-type]


def test_one_guardrail_is_refused_saying_what_output_takes() -> None:
    # docs/guardrails.md: `Guardrails(output=[no_refund_promises])`;
    # observed: TypeError "'function' object is not iterable"
    with pytest.raises(TypeError, match=r"Guardrails.*output"):
        Guardrails(output=polite)  # type: ignore[arg-type]


def test_a_non_number_every_chars_names_the_argument() -> None:
    # observed: TypeError "'<' not supported between instances of 'str' and 'int'"
    with pytest.raises((TypeError, ValueError), match=r"every_chars"):
        Guardrails(every_chars="40")  # type: ignore[arg-type]


def test_an_mcp_http_url_that_is_not_a_string_names_the_argument() -> None:
    # observed: AttributeError "'int' object has no attribute 'startswith'"
    with pytest.raises((TypeError, ValueError), match=r"url"):
        MCPServerHTTP(8931)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_update_agent_with_no_agent_says_it_needs_an_agent() -> None:
    # observed: AttributeError "'NoneType' object has no attribute 'sources'"
    with anyio.fail_after(20):
        async with Emulator(model=ScriptedModel([])) as emu:
            async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as session:
                with pytest.raises(TypeError, match=r"update_agent.*Agent"):
                    await session.update_agent("billing")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_message_that_is_not_a_str_is_refused_saying_so() -> None:
    # observed: send_text(5) raised pydantic's ValidationError; send_text(None) sent a
    # message with no text
    with anyio.fail_after(20):
        async with Emulator(model=ScriptedModel([])) as emu:
            async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as session:
                for wrong in (5, None, b"hi"):
                    with pytest.raises(TypeError, match=r"send_text takes .* a str, not"):
                        await session.send_text(wrong)  # type: ignore[arg-type]
                with pytest.raises(TypeError, match=r"ask takes .* a str, not NoneType"):
                    await session.ask(None)  # type: ignore[arg-type]
                sent = [e["type"] for e in emu.last.received]
    assert "conversation.item.create" not in sent

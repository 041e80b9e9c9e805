"""A local MCP tool's result over streamable HTTP is cut off at the mcp client's SSE event
limit (1 MiB), not at the agent's ``max_tool_output_bytes``.

docs/failures.md: a result larger than ``Agent(max_tool_output_bytes=...)`` (1 MiB) is a
``too_large`` failure that tells the model "the size and the limit, to ask for less"; a
smaller one is the output. docs/mcp.md: "The tool's text content becomes the
``function_call_output``". Over stdio that holds. Over HTTP, ``MCPServerHTTP._target`` builds
``streamable_http_client`` with its default ``max_sse_event_size`` (1 MiB), and an ``mcp``
server sends a ``str`` result twice in its event (``content`` and ``structuredContent``): a
600 kB text, well under the limit, fails as an ``error`` ("MCPError: SSE stream failed:
Server-sent event exceeded the 1048576 byte limit.", advice "try another way"), and no
``max_tool_output_bytes`` the app sets lets it through.
"""

from __future__ import annotations

import json

import pytest
from mcp_types import ImageContent, ToolAnnotations

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

big = mcp_server("big")


@big.tool(annotations=ToolAnnotations(read_only_hint=True))
def export(chars: int) -> str:
    """A long text."""
    return "y" * chars


@big.tool(annotations=ToolAnnotations(read_only_hint=True))
def screenshot() -> list[ImageContent]:
    """A screenshot (1.5 MB of base64), which the model reads as a note in brackets."""
    return [ImageContent(data="A" * 1_500_000, mime_type="image/png")]


async def one_call(
    chars: int, tool: str = "export", **agent_options: object
) -> rtagents.SessionEvent:
    async with serve_mcp_http(big) as url:
        server = MCPServerHTTP(url, name="big")
        agent = rtagents.Agent(
            name="a", tools=[server], output_modalities=["text"], **agent_options
        )
        model = ScriptedModel(
            [CallFunction(tool, {"chars": chars} if tool == "export" else {}, call_id="e"), "ok"]
        )
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                events = await session.ask("export it")
    [ended] = [e for e in events if e.type in ("tool.call.completed", "tool.call.failed")]
    return ended


async def test_a_result_under_the_limit_reaches_the_model() -> None:
    ended = await one_call(600_000)  # 0.57 MiB: the default limit is 1 MiB
    # Observed: tool.call.failed, kind 'error', "MCPError: SSE stream failed: Server-sent
    # event exceeded the 1048576 byte limit."
    assert ended.type == "tool.call.completed", (ended.type, getattr(ended, "message", None))
    assert len(ended.output) == 600_000


async def test_a_result_over_the_limit_is_too_large_for_the_model() -> None:
    ended = await one_call(1_500_000)  # past the default 1 MiB: too_large, "ask for less"
    assert ended.type == "tool.call.failed"
    # Observed: kind 'error' ("SSE stream failed ..."), advice "try another way".
    assert ended.kind == "too_large", (ended.kind, ended.message)
    assert json.loads(ended.output)["error"] == "too_large"


async def test_an_image_the_model_reads_as_a_note_is_not_a_failure() -> None:
    # docs/mcp.md: "Content the model cannot read is named in brackets" ([image image/png]).
    ended = await one_call(0, tool="screenshot")
    # Observed: tool.call.failed, kind 'error' ("SSE stream failed: ... 1048576 byte limit").
    assert ended.type == "tool.call.completed", (ended.type, getattr(ended, "message", None))
    assert ended.output == "[image image/png]"

"""The emulator runs only the hosted tools the session's configuration offers: a tool that
``allowed_tools`` leaves out, or a tool of a server the session's tools no longer name (after
``update_agent`` or a handoff), fails its call as a server label never configured does, with
no approval asked (mcp.md: the emulator implements hosted MCP, so that a hosted setup can be
tested offline). Before, it listed only the allowed tools but ran any tool a model named, and
kept every server it had ever been configured with."""

from __future__ import annotations

import anyio
import pytest
from mcp_types import ToolAnnotations

import rtagents
from rtagents.emulator import CallMCP, Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@pytest.mark.parametrize("allowed", [{"read_only": True}, ["list_files"]], ids=["hint", "names"])
async def test_a_tool_outside_allowed_tools_is_not_run(allowed: object) -> None:
    deleted: list[bool] = []
    server = mcp_server("files")

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    def list_files() -> str:
        """List the files."""
        return "a.txt"

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True))
    def delete_all() -> str:
        """Delete every file."""
        deleted.append(True)
        return "all gone"

    async with serve_mcp_http(server) as url:
        hosted = HostedMCP("files", url, allowed_tools=allowed, require_approval="never")
        agent = rtagents.Agent(name="t", tools=[hosted], output_modalities=["text"])
        model = ScriptedModel([CallMCP("files", "delete_all", {}), "done"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                listed = []
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "mcp_list_tools.completed":
                            listed = [t.name for t in session.hosted_tools["files"]]
                            await session.send_text("Delete everything.")
                        if event.type == "response.done":
                            break
                    else:
                        pytest.fail("the session ended before the response")
    assert listed == ["list_files"]  # (the listing holds to the filter)
    assert deleted == [], "the emulator ran delete_all, which allowed_tools leave out"


async def test_a_server_the_session_no_longer_configures_is_not_run() -> None:
    """The same hole after a switch: the agent the session runs now has no hosted server
    ``files`` (``update_agent``, or a handoff), yet the emulator keeps the old server
    (``HostedMCP.configure`` only adds) and runs its tool, where a label never configured
    fails the call."""
    deleted: list[bool] = []
    server = mcp_server("files")

    @server.tool()
    def delete_all() -> str:
        """Delete every file."""
        deleted.append(True)
        return "all gone"

    async with serve_mcp_http(server) as url:
        first = rtagents.Agent(
            name="first",
            tools=[HostedMCP("files", url, require_approval="never")],
            output_modalities=["text"],
        )
        second = rtagents.Agent(name="second", output_modalities=["text"])
        model = ScriptedModel([CallMCP("files", "delete_all", {}), "done"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(first, url=emu.url) as session:
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "mcp_list_tools.completed":
                            break
                    else:
                        pytest.fail("the session ended before the listing")
                    await session.update_agent(second)
                    assert "files" not in str(emu.last.session.get("tools"))
                    await session.send_text("Delete everything.")
                    async for event in session:
                        if event.type == "response.done":
                            break
                    else:
                        pytest.fail("the session ended before the response")
    assert deleted == [], "the emulator ran a tool of a server the session no longer has"

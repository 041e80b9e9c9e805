"""An MCP tool whose ``inputSchema`` is ``{"type": "object"}`` (MCP requires no
``properties``: a tool without parameters, as servers in other languages list it) is offered
to the model with ``"properties": {}``, as a function tool without parameters is: OpenAI's
function tools refuse an object schema without ``properties`` ("object schema missing
properties"). Before, the schema was offered as the server listed it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import rtagents
from rtagents.mcp import MCPServerStdio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

RELISTING_SERVER = str(Path(__file__).with_name("relisting_server.py"))


async def test_an_mcp_tool_without_properties_is_offered_with_properties(tmp_path: Path) -> None:
    now, after = tmp_path / "now.json", tmp_path / "after.json"
    listing = [{"name": "ping", "description": "Ping.", "inputSchema": {"type": "object"}}]
    now.write_text(json.dumps(listing))
    after.write_text(json.dumps(listing))
    server = MCPServerStdio(sys.executable, [RELISTING_SERVER, str(now), str(after)], name="p")

    @rtagents.tool
    def no_args() -> str:
        """A function tool without parameters."""
        return "ok"

    async with server:
        [tool] = list(server.toolset())
        parameters = tool.definition().parameters
    # A function tool without parameters is offered so: the MCP one should be too.
    assert "properties" in no_args.definition().parameters
    assert parameters.get("properties") == {}, f"offered to the API as {parameters!r}"

"""docs/testing.md: a script's ``CallMCP(server, name, arguments)`` "call[s] tools", and a
record's ``calls`` / ``call(name)`` hold "each tool call", ``assert_not_called(name)``
failing "with the list of the calls that did happen".

``SessionRecord.calls`` is built from ``tool.call.*`` events only, which a hosted MCP call
(run by the server, reported as ``response.mcp_call.*`` and an ``mcp_call`` item) never
emits. So a hosted MCP tool that really ran (here, it deleted a page on a real MCP server)
is invisible to the record: ``assert_not_called("delete_page")`` passes, and
``assert_called("delete_page", page="home")`` fails with "calls: none".
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.testing import CallMCP, mcp_server, run_agent, serve_mcp_http

pytestmark = pytest.mark.anyio


async def test_a_hosted_mcp_call_that_ran_is_in_the_record() -> None:
    server = mcp_server("pages")
    deleted: list[str] = []

    @server.tool()
    def delete_page(page: str) -> str:
        """Delete a page."""
        deleted.append(page)
        return f"deleted {page}"

    async with serve_mcp_http(server) as url:
        pages = rtagents.HostedMCP(server_label="pages", server_url=url, require_approval="never")
        agent = rtagents.Agent(name="wiki", tools=[pages], output_modalities=["text"])
        with anyio.fail_after(20):
            record = await run_agent(
                agent,
                [CallMCP("pages", "delete_page", {"page": "home"}), "Deleted."],
                "Delete the home page.",
                within=15,
            )
    assert deleted == ["home"]  # the tool ran, on the MCP server
    assert record.reply == "Deleted."
    with pytest.raises(AssertionError):
        record.assert_not_called("delete_page")
    record.assert_called("delete_page", page="home")

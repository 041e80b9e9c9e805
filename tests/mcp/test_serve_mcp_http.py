"""rtagents.testing.serve_mcp_http: what the test's own block raises comes out as it was."""

from __future__ import annotations

import pytest

from rtagents.testing import mcp_server, serve_mcp_http


class Mine(Exception):
    pass


@pytest.mark.anyio
async def test_an_exception_in_the_block_is_not_wrapped_in_a_group() -> None:
    server = mcp_server("docs")

    @server.tool()
    def search(query: str) -> str:
        return "found"

    with pytest.raises(Mine):
        async with serve_mcp_http(server):
            raise Mine("the test's own failure")

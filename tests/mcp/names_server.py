"""An MCP server with a long tool name (MCP allows 128 characters; the Realtime API 64)."""

import sys

from mcp_types import ToolAnnotations

from rtagents.testing import mcp_server

server = mcp_server("names")


@server.tool(
    name="search_customer_accounts_by_region_and_status_incl_archived_v2",
    annotations=ToolAnnotations(read_only_hint=True),
)
def search(region: str) -> str:
    """Search the accounts."""
    return f"3 accounts in {region}"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def lookup(key: str) -> str:
    """Look something up."""
    return f"found {key}"


if __name__ == "__main__":
    sys.exit(server.run("stdio"))

"""An MCP server whose tools change a little after it is asked: the change is told by a
notification of its own, as a server that learns of new tools from its backend does."""

import asyncio
import sys
from typing import Any

import anyio
from mcp.server.mcpserver import Context
from mcp_types import ToolAnnotations

from rtagents.testing import mcp_server

server = mcp_server("later")
RO = ToolAnnotations(read_only_hint=True)


@server.tool(annotations=RO)
async def learn_soon(ctx: Context[Any, Any]) -> str:
    """Learns a tool half a second from now."""
    session = ctx.session

    async def later() -> None:
        await anyio.sleep(0.5)

        def juggle(balls: int) -> str:
            """Juggle some balls."""
            return f"juggling {balls}"

        server.add_tool(juggle, annotations=RO)
        await session.send_tool_list_changed()

    asyncio.get_running_loop().create_task(later())
    return "will learn"


if __name__ == "__main__":
    sys.exit(server.run("stdio"))

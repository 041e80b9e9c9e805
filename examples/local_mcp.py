"""Local MCP servers: the agent calls an MCP server's tools itself, over stdio or HTTP.

python examples/local_mcp.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
from calendar_server import start_http_server

import rtagents
from rtagents.emulator import Emulator, RuleModel
from rtagents.mcp import MCPServer, MCPServerHTTP, MCPServerStdio

SERVER = str(Path(__file__).with_name("calendar_server.py"))


def approve_writes(request: rtagents.ApprovalRequest) -> bool:
    print(f"  approving {request.describe()} on {request.server_label}")
    return True


async def converse(server: MCPServer, url: str | None) -> list[str]:
    # Tools not marked read-only (add_event) ask the approval policy first.
    agent = rtagents.Agent(
        name="assistant",
        instructions="Manage the user's calendar.",
        tools=[server],
        approval=rtagents.ApprovalPolicy(handler=approve_writes),
        output_modalities=["text"],
    )
    lines: list[str] = []
    async with rtagents.connect(agent, url=url) as session:
        for question in ("List events for monday", "Add event on 'friday' for 'lunch with Ann'"):
            await session.send_text(question)
            async for event in session:
                if event.type == "tool.call.completed":
                    lines.append(f"[{server.name}] {event.name} -> {event.output}")
                elif event.type == "response.output_text.done":
                    lines.append(f"assistant: {event.text}")
                    break
    return lines


async def main(real: bool = False) -> list[str]:
    lines: list[str] = []
    proc, http_url = start_http_server()
    try:
        servers = [
            MCPServerStdio(sys.executable, [SERVER], name="calendar_stdio"),
            MCPServerHTTP(http_url, name="calendar_http"),
        ]
        for server in servers:
            if real:
                lines += await converse(server, url=None)
            else:
                async with Emulator(model=RuleModel()) as emu:
                    lines += await converse(server, url=emu.url)
    finally:
        proc.terminate()
        proc.wait()
    return lines


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)

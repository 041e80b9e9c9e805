"""Hosted MCP: the Realtime server calls the MCP server; the agent only approves.

Here the emulator plays the Realtime server and connects to examples/calendar_server.py
over streamable HTTP, as the OpenAI servers connect to a public MCP server URL.

    python examples/hosted_mcp.py
"""

from __future__ import annotations

import sys

import anyio
from calendar_server import start_http_server

import rtagents
from rtagents.emulator import Emulator, RuleModel


async def main(real: bool = False) -> list[str]:
    lines: list[str] = []
    proc, url = start_http_server()
    try:
        calendar = rtagents.HostedMCP(
            server_label="calendar",
            server_url=url,
            require_approval={"never": {"read_only": True}},  # reads run; writes ask
        )
        agent = rtagents.Agent(
            name="assistant",
            tools=[calendar],
            approval=rtagents.ApprovalPolicy(rules=[rtagents.allow(server="calendar")]),
            output_modalities=["text"],
        )
        async with Emulator(model=RuleModel()) as emu:
            async with rtagents.connect(agent, url=None if real else emu.url) as session:
                for question in ("List events for monday", "Add event on 'friday' for 'yoga'"):
                    await session.send_text(question)
                    async for event in session:
                        if event.type == "approval.decided":
                            lines.append(
                                f"[approval] {event.request.describe()} approved={event.approve} by {event.decided_by}"
                            )
                        elif (
                            event.type == "response.output_item.done"
                            and event.item.type == "mcp_call"
                        ):
                            lines.append(f"[hosted] {event.item.name} -> {event.item.output}")
                        elif event.type == "response.output_text.done":
                            lines.append(f"assistant: {event.text}")
                            break
    finally:
        proc.terminate()
        proc.wait()
    return lines


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)

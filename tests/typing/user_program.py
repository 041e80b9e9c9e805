"""A user's program: it matches on ``event.type`` and reads typed fields. mypy --strict must
accept it (tests/typing/test_typed_events.py runs it), and reject the mistakes below it."""

from __future__ import annotations

import rtagents


async def watch(session: rtagents.RealtimeSession) -> list[str]:
    seen: list[str] = []
    async for event in session:
        match event.type:
            case "tool.call.started":
                seen.append(f"{event.name}({event.arguments}) as {event.call_id}")
            case "tool.call.failed":
                seen.append(f"{event.kind}: {event.message}")
            case "approval.decided":
                seen.append(f"{event.request.tool_name}: {event.approve} by {event.decided_by}")
            case "response.output_audio_transcript.done":
                seen.append(event.transcript)
            case "response.done":
                seen.append(str(event.response.status))
            case "input_audio_buffer.dtmf_event_received":
                seen.append(event.event)
            case "session.closed":
                seen.append(f"closed: {event.reason} (error={event.error})")
                break
        if event.type == "error":
            seen.append(event.error.message)
    return seen


class Bank:
    def balance(self, account: str) -> int:
        return 100


@rtagents.tool
def balance(ctx: rtagents.ToolContext[Bank], account: str) -> int:
    """The balance of an account."""
    return ctx.deps.balance(account)  # typed: mypy knows deps is a Bank


async def run(agent: rtagents.Agent) -> int:
    async with rtagents.connect(agent, url="ws://127.0.0.1:1", deps=Bank()) as session:
        bank: Bank = session.deps
        return bank.balance("a")


@rtagents.tool
async def hang_up(ctx: rtagents.ToolContext[Bank]) -> str:
    """End the conversation."""
    if ctx.session is not None:
        await ctx.session.send_text("goodbye", respond=False)  # typed: a RealtimeSession
    return "bye"

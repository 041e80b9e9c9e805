"""The API refuses a session configuration naming a tool only by its place
(``session.tools[1].parameters``: a local MCP server's schema it does not take, say):
``connect``'s ``SessionConfigError`` names that tool too, so that the app knows which of its
tools (or which MCP server's) to look at."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import SessionConfigError
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def look_up(order: str) -> str:
    """Look an order up."""
    return "found"


@rtagents.tool
def refund(order: str) -> str:
    """Refund an order."""
    return "refunded"


@pytest.mark.parametrize(
    ("param", "named"), [("session.tools[1].parameters", "refund"), ("session.voice", None)]
)
async def test_a_refused_tool_is_named(param: str, named: str | None) -> None:
    agent = rtagents.Agent(name="shop", tools=[look_up, refund])
    async with hostile_server() as server:
        server.answers_updates = False

        async def refuse() -> None:
            update = await server.wait_for(lambda e: e["type"] == "session.update")
            error = {
                "type": "invalid_request_error",
                "code": "invalid_value",
                "message": "Invalid schema.",
                "param": param,
                "event_id": update["event_id"],
            }
            await server.send({"type": "error", "error": error})

        async with anyio.create_task_group() as tg:
            tg.start_soon(refuse)
            with anyio.fail_after(10), pytest.raises(SessionConfigError) as caught:
                async with rtagents.connect(agent, url=server.url, reconnect=None):
                    pass
    assert caught.value.param == param
    said = str(caught.value)
    assert ("'refund'" in said) is (named is not None), said
    assert "look_up" not in said, said

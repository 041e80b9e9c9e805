"""Rule broken: every ``function_call`` is answered, or the session closes with a reason
(failures.md: "the call is answered, and the session goes on or closes with a reason").

A function call item's ``status`` is optional: the protocol reference
(``status?: 'completed' | 'incomplete' | 'in_progress'``, "Has no effect on the
conversation") and the openai SDK's ``RealtimeConversationItemFunctionCall``
(``status: Optional[...] = None``) both allow it to be left out, as a Realtime-compatible
server or proxy may. The Realtime adapter starts a call from ``response.output_item.done``
and ``response.done`` only when ``item.status == "completed"`` (``realtime.py``), so a call
the server announces so, without a status, is silently dropped: never run, never answered,
no ``tool.call.*`` event and no warning, and the turn never comes back (the server waits for
its output). GPT-Live's adapter takes ``status in (None, "completed")`` for the same items.
failures.md says a call listed only in ``response.output_item.done`` / ``response.done``
runs "as if the done event had come".
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents

from .hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup() -> str:
    """Look it up."""
    return "found"


async def test_a_call_whose_item_has_no_status_is_answered() -> None:
    agent = rtagents.Agent(name="h", tools=[lookup])
    seen: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                session.on("*")(seen.append)
                item = call_item("lookup", {}, "c1")
                del item["status"]  # optional in the protocol: "no effect on the conversation"
                await server.send(
                    {
                        "type": "response.created",
                        "response": {"id": "r1", "status": "in_progress", "output": []},
                    }
                )
                await server.output_item("done", item, response_id="r1")
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "r1", "status": "completed", "output": [item]},
                    }
                )
                with anyio.move_on_after(3):
                    await server.wait_for(lambda e: e["type"] == "response.create", within=5)
                told = [e.type for e in seen if e.type.startswith(("tool.call", "session.w"))]
                assert server.outputs("c1") == ["found"], (
                    f"the call was never answered; the app was told {told}"
                )

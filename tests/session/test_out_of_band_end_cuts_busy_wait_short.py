"""Our ``response.create`` for a batch is refused as busy by a response never seen on this
connection (docs/session.md: "if it was never seen on this connection, after half a second,
so that a response whose end never comes here is not met with a request after every
refusal"). While we wait, an out-of-band response (``conversation: "none"``: the app's
own, or a spoken aside) ends. That response is not the one active in the conversation, yet
its ``response.done`` ends the wait: ``response.create`` goes again at once, over the
response the server still runs (a second busy refusal).

Right behaviour: an out-of-band response's end frees nothing in the conversation; the
request goes again when an in-conversation response ends or after the half second."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

BUSY = "conversation_already_has_active_response"


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


async def test_an_out_of_band_end_does_not_end_the_wait_after_a_busy_refusal() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url):
                await server.call("lookup", {"key": "k"}, "c1", response_id="resp_1")
                assert await server.output_for("c1") == "value of k"
                first = await server.wait_for(lambda e: e["type"] == "response.create")
                # Refused: a response the server began before this connection still runs.
                await server.send(
                    {
                        "type": "error",
                        "error": {
                            "type": "invalid_request_error",
                            "code": BUSY,
                            "message": "Conversation already has an active response",
                            "event_id": first["event_id"],
                        },
                    }
                )
                # An out-of-band response (the server says so: a null conversation_id).
                oob = {"id": "resp_oob", "status": "in_progress", "output": []}
                oob["conversation_id"] = None
                await server.send({"type": "response.created", "response": oob})
                await server.send(
                    {"type": "response.done", "response": {**oob, "status": "completed"}}
                )
                await anyio.sleep(0.25)  # well within the half second's wait
                creates = server.sent("response.create")
                assert len(creates) == 1, (
                    "an out-of-band response's end sent response.create again over the "
                    f"response still active: {json.dumps(creates)}"
                )
                # The wait still ends: asked again after it.
                await server.wait_for(
                    lambda e: e["type"] == "response.create" and e is not first, within=3
                )

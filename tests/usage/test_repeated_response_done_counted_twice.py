"""A ``response.done`` the server sends twice for one response (one id) is counted twice:
``session.usage`` gets its tokens and its ``responses`` twice, ``session.cost`` doubles, and
``gen_ai.client.token.usage`` records it twice, while the session itself treats the second
as the late word of a response already over (the response's span ends once). The session
already guards every other repeat of a response's events by its id (a repeated
``response.created``, a reused call or approval id: see the fuzzing fixes); the meter, the
one place that bills, has no such guard (``UsageMeter._response_done``)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Prices
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio

USAGE = {
    "total_tokens": 30,
    "input_tokens": 10,
    "output_tokens": 20,
    "input_token_details": {"text_tokens": 10, "audio_tokens": 0, "cached_tokens": 0},
    "output_token_details": {"text_tokens": 20, "audio_tokens": 0},
}


async def test_a_repeated_response_done_is_counted_once() -> None:
    prices = {"gpt-realtime": Prices(text_input="4", text_output="16")}
    async with hostile_server() as server:
        agent = rtagents.Agent(name="once")
        async with rtagents.connect(agent, url=server.url, prices=prices) as session:
            updates: list[Any] = []
            session.on("usage.updated")(updates.append)
            await server.send(
                {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}
            )
            done = {
                "type": "response.done",
                "response": {"id": "resp_1", "status": "completed", "output": [], "usage": USAGE},
            }
            await server.send(done)
            await server.send(done)  # the same response's end, again
            await server.send(
                {"type": "response.created", "response": {"id": "resp_2", "status": "in_progress"}}
            )
            await server.send(
                {
                    "type": "response.done",
                    "response": {"id": "resp_2", "status": "completed", "output": []},
                }
            )
            with anyio.fail_after(5):  # resp_2's report: every frame before it is read
                while not any(u.response_id == "resp_2" for u in updates):
                    await anyio.sleep(0.02)
            usage, cost = session.usage, session.cost

    assert usage.responses == 2 and usage.tokens.total_tokens == 30, (
        f"{usage!r}, cost {cost}; reports for {[u.response_id for u in updates]}"
    )

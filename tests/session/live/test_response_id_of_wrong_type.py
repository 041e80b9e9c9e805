"""A delegated response's end whose ``response.id`` is of the wrong type (an object, a list:
"wrong types" is one of the odd shapes a server may send). The inner event's decoding repairs
it (``response.completed: left out response.id``, as it does for a number), but
``DelegatedWork.response_of`` reads the id from the raw inner dict with no type check and
hashes it (``rid in self._open``): a ``TypeError``, caught by ``LiveCore.receive`` as "failed
on response.event". The end is lost: the batch's ``response.create`` never goes, and the
delegated turn stalls with the tool's output sent and never answered."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents

from .frames import snapshot
from .server import live_session, lookup

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("bad_id", [{"value": "resp_1"}, ["resp_1"]], ids=["object", "list"])
async def test_an_end_with_an_id_of_the_wrong_type_still_asks_for_the_answer(bad_id: Any) -> None:
    agent = rtagents.Agent(name="a", tools=[lookup])
    warnings: list[str] = []
    async with live_session(agent) as (server, session):
        session.on("session.warning")(lambda e: warnings.append(e.message))
        await server.delegate_calls(
            "del_1", "resp_1", ("call_1", "lookup", '{"x":"y"}'), complete=False
        )
        await server.expect("response.item.create")  # the call's output went
        await server.stream(
            "del_1",
            "response.completed",
            response={**snapshot("resp_1", "completed"), "id": bad_id},
        )
        with anyio.move_on_after(3):
            await server.expect("response.create", within=3)
        failed = [w for w in warnings if w.startswith("failed on")]
        asks = len(server.of("response.create"))
        assert asks == 1, f"the batch was never asked for (the turn stalls); warnings: {failed}"
        assert not failed

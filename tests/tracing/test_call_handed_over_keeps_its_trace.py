"""A SIP call handed over to another replica (a drain, with a ``RedisRegistry``) is one call,
accepted once, with one server-side trace: its ``tracing`` (fixed at the accept) groups it
under the trace of the first replica's ``realtime_call`` span (docs/tracing.md, "Calls: the
accept carries the tracing": "both ends of the call are in the same trace"). The replica
that adopts it runs its tools from then on; their spans must be findable from the server's
trace: in that trace, or at least linked to it.

Found: the adopting replica starts a fresh root ``realtime_call`` span, in a new trace with
no link to the first: the tools that run after the hand-over are in a trace nothing points
to (the server's group id names the first replica's trace only). The listing the registry
keeps carries no trace context. Real parts: two CallServers under uvicorn sharing a real
redis-server, the emulator, the OTel SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from rtagents.calls.lifecycle import HANDED_OVER
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import redis_server
from tests.calls.test_replicas import open_sidebands, placed, two_replicas, until, weather_desk

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


async def test_the_replica_that_adopts_a_call_traces_it_in_the_call_s_trace(
    redis_url: str, spans: InMemorySpanExporter
) -> None:
    model = ScriptedModel([CallFunction("get_weather", {"city": "Oslo"}), "Sunny in Oslo."])
    ran: list[str] = []
    async with Emulator(model=model) as emu:
        async with two_replicas(emu, weather_desk(ran), redis_url, lease_s=1.5) as (apps, relay):
            call_id, owner = await placed(emu, apps, relay)
            other = next(a for a in apps if a is not owner)
            await owner.drain(0)
            assert (owner.calls[call_id].state, owner.calls[call_id].reason) == (
                "moved",
                HANDED_OVER,
            )
            await until(lambda: call_id in other.calls and other.calls[call_id].session, 5)
            await other.say(call_id, "Weather in Oslo?")
            await until(lambda: ran == ["Oslo"])
            assert len(open_sidebands(emu, call_id)) == 1
            group_id = emu.desk.calls[call_id].session["tracing"]["group_id"]
    finished = spans.get_finished_spans()
    calls = [s for s in finished if s.name == "realtime_call"]
    [tool] = [s for s in finished if s.name == "execute_tool get_weather"]  # ran on the adopter
    in_trace = [s for s in calls if s.context.trace_id == tool.context.trace_id]
    # The adopter's span of the call, under the first replica's (its parent, remote).
    [adopted] = [s for s in in_trace if s.parent is not None and s.parent.is_remote] or in_trace
    assert adopted.attributes is not None
    assert adopted.attributes["openai.realtime.call_id"] == call_id
    linked = {format(link.context.trace_id, "032x") for link in adopted.links}
    in_call_trace = format(adopted.context.trace_id, "032x") == group_id or group_id in linked
    assert in_call_trace, (
        f"the adopter traced the call in trace {adopted.context.trace_id:032x}, with links to "
        f"{sorted(linked)}; the call's server-side trace is grouped under {group_id}"
    )

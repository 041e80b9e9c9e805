"""OpenTelemetry metrics, read with the SDK's in-memory reader: active sessions, tool call
durations by tool and outcome, approvals pending and their wait, reconnects, dropped events.
Without an SDK the session does not observe at all (checked in a fresh process)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel
from rtagents.session.events import SessionReconnecting, ToolCallFailed
from rtagents.tracing.metrics import SessionMetrics

pytestmark = pytest.mark.anyio
READER = InMemoryMetricReader()


@pytest.fixture(scope="module")
def reader() -> Iterator[InMemoryMetricReader]:
    # A provider can be set once per process; the instruments (made through the API's
    # proxy at import) start recording into it from then on.
    if not isinstance(metrics.get_meter_provider(), MeterProvider):
        metrics.set_meter_provider(MeterProvider(metric_readers=[READER]))
    yield READER


def points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    data = reader.get_metrics_data()
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


@rtagents.tool
def explode() -> str:
    """Always fails."""
    raise RuntimeError("boom")


@rtagents.tool(needs_approval=True)
def wire(amount: int) -> str:
    """Send money."""
    return "sent"


async def test_a_session_s_tools_approvals_and_reconnects_are_counted(
    reader: InMemoryMetricReader,
) -> None:
    model = ScriptedModel(
        [
            [CallFunction("lookup", {"key": "a"}), CallFunction("explode", {})],
            "ok",
            CallFunction("wire", {"amount": 5}),
            "done",
        ],
        then="fine",
    )
    agent = rtagents.Agent(
        name="metered",
        tools=[lookup, explode, wire],
        approval=ApprovalPolicy(handler=lambda request: False),
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            during = points(reader)
            await session.ask("look it up")
            await session.ask("wire it")
            emu.last.add_fault(DropConnection(on_client="response.create", code=1011))
            reconnected = anyio.Event()
            session.on("session.reconnected")(lambda event: reconnected.set())
            with anyio.fail_after(10):
                await session.ask("again")
                await reconnected.wait()
    after = points(reader)

    active_during = [
        p.value for p in during["rtagents.sessions.active"] if p.attributes["agent"] == "metered"
    ]
    active_after = [
        p.value for p in after["rtagents.sessions.active"] if p.attributes["agent"] == "metered"
    ]
    assert active_during == [1] and active_after == [0]
    reconnects = sum(p.value for p in after["rtagents.reconnects"])
    assert reconnects >= 1

    # The provider is the worker's for good: other tests' sessions (a `lookup` tool of their
    # own) count in it too, before this one and between: this session's are the difference.
    def counted(found: dict[str, list[Any]], name: str, *keys: str) -> Counter[tuple[Any, ...]]:
        return Counter({tuple(p.attributes[k] for k in keys): p.count for p in found.get(name, [])})

    tools = counted(after, "rtagents.tool.duration", "tool", "outcome")
    tools.subtract(counted(during, "rtagents.tool.duration", "tool", "outcome"))
    assert tools[("lookup", "ok")] == 1
    assert tools[("explode", "error")] == 1
    assert tools[("wire", "denied")] == 1
    waits = counted(after, "rtagents.approval.wait", "outcome")
    waits.subtract(counted(during, "rtagents.approval.wait", "outcome"))
    assert waits[("denied",)] >= 1
    pending = [
        p.value for p in after["rtagents.approvals.pending"] if p.attributes["kind"] == "function"
    ]
    assert pending == [0]


async def test_dropped_events_are_counted(reader: InMemoryMetricReader) -> None:
    agent = rtagents.Agent(name="slow-reader")
    async with Emulator(model=ScriptedModel(["a " * 200])) as emu:
        async with rtagents.connect(agent, url=emu.url, max_buffered_events=5) as session:
            await session.send_text("talk")
            await anyio.sleep(0.5)  # never read: the buffer keeps only the latest 5
    dropped = [
        p.value
        for p in points(reader)["rtagents.events.dropped"]
        if p.attributes["agent"] == "slow-reader"
    ]
    assert dropped and dropped[0] > 10


def test_without_an_sdk_sessions_do_not_observe() -> None:
    code = (
        "from rtagents.tracing.metrics import SessionMetrics\n"
        "assert SessionMetrics('a').recording is False\n"
        "from opentelemetry import metrics\n"
        "from opentelemetry.sdk.metrics import MeterProvider\n"
        "metrics.set_meter_provider(MeterProvider())\n"
        "assert SessionMetrics('a').recording is True\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_labels_are_a_fixed_set(reader: InMemoryMetricReader) -> None:
    """A tool name the model made up, or a close's details, would each be a new series."""
    meter = SessionMetrics("labels")
    for name in ("invented_1", "invented_2"):
        meter.observe(ToolCallFailed("c", name, "unknown_tool", "no such tool", "", 0.01))
    causes = {
        "the server closed the connection (code 1011: keepalive ping timeout)": "server_closed_1011",
        "the server closed the connection (code 1001)": "server_closed_1001",
        "the connection dropped without a close frame": "dropped",
        "this client closed the connection (code 1000)": "client_closed",
        "handing over before the session's time cap": "handover",
        "sending failed: BrokenPipeError: [Errno 32]": "send_failed",
        "the server at wss://x/v1 refused the connection: HTTP 503": "connect_failed",
        "cannot connect to wss://x/v1: [Errno 111] Connection refused": "connect_failed",
        "OSError: [Errno 101] Network is unreachable": "other",
    }
    for cause in causes:
        meter.observe(SessionReconnecting(2, 0.5, cause))
    found = points(reader)
    tools = {p.attributes["tool"] for p in found["rtagents.tool.duration"]}
    assert "(unknown)" in tools and not tools & {"invented_1", "invented_2"}
    labels = {p.attributes["cause"] for p in found["rtagents.reconnects"]}
    assert set(causes.values()) <= labels
    assert not any(label.startswith("the ") for label in labels)

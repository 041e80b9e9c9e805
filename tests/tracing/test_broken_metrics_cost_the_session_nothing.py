"""A metrics SDK part that raises (an exemplar filter or a view with a bug, the metrics' span
processor) costs its figures, never the session: not its start (the sessions' count), nor its
reader (the count of events dropped, taken as each is delivered).

In a process of its own: the API lets a meter provider be set once per process."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import anyio
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics._internal.exemplar import ExemplarFilter

class Broken(ExemplarFilter):
    def should_sample(self, value, time_unix_nano, attributes, context):
        if attributes and "agent" in attributes:  # the sessions' and the dropped events' counts
            raise RuntimeError("the exemplar filter broke")
        return False

metrics.set_meter_provider(MeterProvider(exemplar_filter=Broken()))

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

async def main():
    agent = rtagents.Agent(name="m", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["a " * 200, "the answer"])) as emu:
        async with rtagents.connect(agent, url=emu.url, max_buffered_events=5) as session:
            await session.send_text("talk")  # never read: the buffer drops all but 5
            await anyio.sleep(0.5)
            events = await session.ask("again")
    assert "response.done" in [e.type for e in events]
    assert not session.closed_with_error, session.closed_reason
    print("ok")

anyio.run(main)
"""


def test_a_raising_metrics_sdk_costs_the_session_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]

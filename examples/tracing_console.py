"""Tracing to the console: every response, tool call and approval as an OpenTelemetry span.

Needs the OpenTelemetry SDK, which rtagents does not install (it uses only the API):

    pip install opentelemetry-sdk
    python examples/tracing_console.py
"""

from __future__ import annotations

import sys

import anyio
from opentelemetry import trace

try:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
except ImportError:
    sys.exit("tracing_console.py needs the OpenTelemetry SDK: pip install opentelemetry-sdk")

import rtagents
from rtagents.emulator import Emulator, RuleModel


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


def setup_tracing(console: bool) -> InMemorySpanExporter:
    """An SDK that prints spans (and keeps them, to show the tree at the end)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    if console:
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
    return memory


async def main(real: bool = False, console: bool = False) -> list[str]:
    memory = setup_tracing(console)
    agent = rtagents.Agent(name="weather", tools=[get_weather], output_modalities=["text"])
    async with Emulator(model=RuleModel()) as emu:
        async with rtagents.connect(agent, url=None if real else emu.url) as session:
            await session.send_text("What's the weather in Paris?")
            async for event in session:
                if event.type == "response.output_text.done":
                    break
    spans = memory.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}

    def depth(span: object) -> int:
        parent = getattr(span, "parent", None)
        return (
            0 if parent is None or parent.span_id not in by_id else 1 + depth(by_id[parent.span_id])
        )

    return ["  " * depth(s) + s.name for s in sorted(spans, key=lambda s: s.start_time or 0)]


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv, "--quiet" not in sys.argv):
        print(line)

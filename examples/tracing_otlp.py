"""Tracing to any OTLP backend (Jaeger, Tempo, Honeycomb, Datadog, an OpenTelemetry Collector).

Point the exporter at your collector; here a tiny receiver on loopback stands in for one.
Needs the OpenTelemetry SDK and its OTLP exporter, which rtagents does not install:

    pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http
    python examples/tracing_otlp.py
    OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 python examples/tracing_otlp.py --real
"""

from __future__ import annotations

import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import anyio
from opentelemetry import trace

try:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
except ImportError:
    sys.exit(
        "tracing_otlp.py needs the OpenTelemetry SDK and its OTLP exporter: "
        "pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http"
    )

import rtagents
from rtagents.emulator import Emulator, RuleModel

RECEIVED: list[str] = []


class Receiver(BaseHTTPRequestHandler):
    """Accepts OTLP/HTTP protobuf posts and notes the span names (a stand-in collector)."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                RECEIVED.extend(span.name for span in scope.spans)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


async def main(real: bool = False) -> list[str]:
    collector = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") if real else None
    endpoint = endpoint or f"http://127.0.0.1:{collector.server_port}"
    provider = TracerProvider(resource=Resource.create({"service.name": "voice-agent"}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces"))
    )
    trace.set_tracer_provider(provider)

    agent = rtagents.Agent(name="weather", tools=[get_weather], output_modalities=["text"])
    async with Emulator(model=RuleModel()) as emu:
        async with rtagents.connect(agent, url=None if real else emu.url) as session:
            await session.send_text("What's the weather in Oslo?")
            async for event in session:
                if event.type == "response.output_text.done":
                    break
    provider.force_flush()
    collector.shutdown()
    return [f"exported: {name}" for name in RECEIVED]


if __name__ == "__main__":
    for line in anyio.run(main, "--real" in sys.argv):
        print(line)

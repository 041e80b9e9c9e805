"""What tracing and approvals cost on the tool round trip.

Each variant runs in its own process (a global tracer provider cannot be unset): no SDK
(every span a no-op), the OpenTelemetry SDK with an exporter that drops spans, and a tool
that needs approval (decided by a rule). Each sits beside the bare loop of its own run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import rtagents

from ._stats import in_fresh_process

VARIANTS = ("no_sdk", "sdk_noop_exporter", "approval_by_rule")


@rtagents.tool(needs_approval=True)
async def guarded() -> str:
    """A no-op that needs approval."""
    return "ok"


def _variant(name: str) -> dict[str, Any]:
    from . import session

    agent = None
    if name == "sdk_noop_exporter":
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            SimpleSpanProcessor,
            SpanExporter,
            SpanExportResult,
        )

        class Drop(SpanExporter):
            def export(self, spans: Sequence[Any]) -> SpanExportResult:
                return SpanExportResult.SUCCESS

        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(Drop()))
        trace.set_tracer_provider(provider)
        agent = rtagents.Agent(name="bench", tools=[session.noop])
    elif name == "approval_by_rule":
        policy = rtagents.ApprovalPolicy(rules=[rtagents.allow(tool="noop")])
        agent = rtagents.Agent(
            name="bench", tools=[guarded.renamed("noop")], approval=policy, tracing=None
        )
    return session.tool_round_trip(agent)


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in VARIANTS:
        results[name] = in_fresh_process("overhead", name, timeout=600)
    base = results["no_sdk"]["rtagents"]["median"]
    return {
        "what": "tool round trip (async no-op tool, back to back) per variant, each beside its own bare loop",
        "unit": "us",
        **{
            name: {
                "p50": r["rtagents"]["median"],
                "bare_p50": r["baseline_bare_websockets_json"]["median"],
                "ratio_to_bare": r["ratio_p50"],
            }
            for name, r in results.items()
        },
        "tracing_sdk_cost_us": round(results["sdk_noop_exporter"]["rtagents"]["median"] - base, 1),
        "approval_cost_us": round(results["approval_by_rule"]["rtagents"]["median"] - base, 1),
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(_variant(sys.argv[1])))
    else:
        print(json.dumps(run(), indent=2))

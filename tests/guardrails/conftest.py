"""The tracing tests' in-memory OpenTelemetry exporter, for the guardrail spans."""

from ..tracing.conftest import spans

__all__ = ["spans"]

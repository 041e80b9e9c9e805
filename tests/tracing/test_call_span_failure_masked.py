"""A call that fails says why on its ``realtime_call`` span's status, masked as every text
the framework passes on is: the app's router (or a library under it) may quote a URL's
token or an authorization header, and the span goes to whatever backend the app exports to."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from rtagents.calls import CallServer
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi

from ..calls.harness import SECRET, wait_for

pytestmark = pytest.mark.anyio
TOKEN = "crm-token-never-in-spans"


async def test_a_failed_call_s_span_masks_its_reason(spans: InMemorySpanExporter) -> None:
    def route(call: Any) -> Any:
        raise LookupError(f"GET https://crm.example/lookup?token={TOKEN} failed")

    async with Emulator() as emu:
        app = CallServer(webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url, route=route)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            await wait_for(emu, call_id, "rejected")
    [span] = [s for s in spans.get_finished_spans() if s.name == "realtime_call"]
    assert span.status.status_code is StatusCode.ERROR
    assert "LookupError" in (span.status.description or "")
    assert TOKEN not in (span.status.description or "")

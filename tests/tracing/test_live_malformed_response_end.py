"""A GPT-Live backend response whose end is oddly shaped (an ``error`` that is a string, an
``output_tokens_details`` that is not an object, a ``status`` that is not a string) still
ends its ``responses_inference`` span: the session reads such frames, and so must its
tracing, or the span is never exported and its tool spans point at a missing parent."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from tests.session.live.server import live_session

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

USAGE = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}


@rtagents.tool
async def lookup(x: str) -> str:
    """Look up."""
    return f"found {x}"


@pytest.mark.parametrize(
    "kind,response",
    [
        ("response.failed", {"id": "resp_1", "status": "failed", "error": "boom"}),
        ("response.failed", {"id": "resp_1", "status": "failed", "error": ["x"]}),
        (
            "response.completed",
            {
                "id": "resp_1",
                "status": "completed",
                "usage": {**USAGE, "output_tokens_details": "x"},
            },
        ),
        ("response.completed", {"id": "resp_1", "status": 7}),
    ],
    ids=["error-str", "error-list", "details-str", "status-int"],
)
async def test_an_odd_end_still_ends_the_span(spans: Any, kind: str, response: Any) -> None:
    agent = rtagents.Agent(tools=[lookup])
    async with live_session(agent) as (server, session):
        await server.delegate_calls("del_1", "resp_1", complete=False)  # (created, no call)
        await server.stream("del_1", kind, response=response)
        await anyio.sleep(0.3)
    ended = [s for s in spans.get_finished_spans() if s.name.startswith("responses_inference")]
    assert len(ended) == 1, [s.name for s in spans.get_finished_spans()]

"""A token in the Realtime URL's query (``connect(url="wss://proxy/v1/realtime?token=...")``,
how a gateway in front of the API is often keyed) is a credential like the API key. The API
key and ``headers=`` are secrets while the session is open, and an MCP server's or a
``CallServer``'s URL query values are secrets too (``url_secrets``), but ``connect`` never
registers its own URL's: only the query *shape* is masked. A server (or the gateway) that
echoes the token in its close reason has it copied verbatim into the ``session.closed``
event the framework makes, the session span's ``rtagents.session.close_reason``, and
websockets' DEBUG log of the close frame."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from tests.session.hostile import hostile_server
from tests.tracing.conftest import spans  # noqa: F401  (the in-memory exporter fixture)

pytestmark = pytest.mark.anyio

TOKEN = "gw-token-9f8e7d6c5b4a"


@pytest.mark.parametrize(
    "query",
    [f"?token={TOKEN}", f"?user=bob@example.com&token={TOKEN}"],  # (an @ in the query too)
    ids=["token", "at-in-query"],
)
async def test_a_url_token_echoed_in_a_close_reason_stays_secret(
    spans: InMemorySpanExporter,  # noqa: F811
    log_lines: list[str],
    query: str,
) -> None:
    events: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(
                rtagents.Agent(name="h"), url=f"{server.url}{query}", reconnect=None
            ) as session:
                session.on("*")(events.append)
                await server.close(1008, f"token {TOKEN} is revoked")
                async for event in session:
                    if event.type == "session.closed":
                        break
                else:
                    pytest.fail("the stream ended without session.closed")
    closed = [e for e in events if e.type == "session.closed"]
    assert closed and "revoked" in closed[0].reason
    told = {e.type: repr(e) for e in events if TOKEN in repr(e)}
    assert told == {}, told
    attributes = {
        key: value
        for span in spans.get_finished_spans()
        for key, value in (span.attributes or {}).items()
        if TOKEN in str(value)
    }
    assert attributes == {}, attributes
    assert [line for line in log_lines if TOKEN in line] == []

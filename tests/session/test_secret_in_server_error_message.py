"""The API key given to ``connect`` is "redacted wherever it appears" and "kept out of
events, spans and reprs" (failures.md, Secrets). A server (or a proxy in front of it) that
echoes the key in an ``error`` event's message has it copied verbatim into what the framework
itself makes: the ``SessionConfigError`` raised out of ``connect`` (and the session span's
``rtagents.session.close_reason``), and the ``session.warning`` of a refused output. The same
server text in a close frame's reason is redacted (test_secret_in_server_close_reason.py)."""

from __future__ import annotations

import traceback
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.errors import SessionConfigError
from tests.session.hostile import hostile_server
from tests.session.live.server import live_server
from tests.tracing.conftest import spans  # noqa: F401  (the in-memory exporter fixture)

pytestmark = pytest.mark.anyio

API_KEY = "key-1a2b3c4d5e6f7a8b"  # not of the sk- shape: only registration hides it


@rtagents.tool
def canary() -> str:
    """Still alive?"""
    return "tweet"


def refusal(event_id: Any, message: str) -> dict[str, Any]:
    error = {"type": "invalid_request_error", "code": "invalid_api_key", "param": None}
    return {"type": "error", "error": {**error, "message": message, "event_id": event_id}}


async def test_a_key_echoed_in_a_refused_configuration_stays_out_of_the_error_and_span(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    async with hostile_server() as server:
        server.answers_updates = False

        async def refuse() -> None:
            update = await server.wait_for(lambda e: e["type"] == "session.update")
            await server.send(refusal(update.get("event_id"), f"Incorrect API key: {API_KEY}"))

        with anyio.fail_after(15):
            async with anyio.create_task_group() as tg:
                tg.start_soon(refuse)
                with pytest.raises(SessionConfigError) as caught:
                    async with rtagents.connect(
                        rtagents.Agent(name="h"), url=server.url, api_key=API_KEY, reconnect=None
                    ):
                        pass
    shown = "".join(traceback.format_exception(caught.value))  # what a crash would print
    assert API_KEY not in shown, str(caught.value)
    attributes = {
        key: value
        for span in spans.get_finished_spans()
        for key, value in (span.attributes or {}).items()
        if API_KEY in str(value)
    }
    assert attributes == {}


async def test_a_key_echoed_in_a_refused_live_session_start_stays_out_of_the_error() -> None:
    async with live_server() as server:
        server.refuse = refusal(None, f"Incorrect API key: {API_KEY}")["error"]
        with anyio.fail_after(15), pytest.raises(SessionConfigError) as caught:
            async with rtagents.connect(
                rtagents.Agent(name="h"),
                url=server.url,
                api="live",
                api_key=API_KEY,
                reconnect=None,
            ):
                pass
    shown = "".join(traceback.format_exception(caught.value))
    assert API_KEY not in shown, str(caught.value)


async def test_a_key_echoed_in_a_refused_output_stays_out_of_the_warning() -> None:
    events: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(
                rtagents.Agent(name="h", tools=[canary]), url=server.url, api_key=API_KEY
            ) as session:
                session.on("session.warning")(events.append)
                await server.call("canary", {}, "c1")
                create = await server.wait_for(
                    lambda e: (
                        e["type"] == "conversation.item.create" and e["item"].get("call_id") == "c1"
                    )
                )
                await server.send(refusal(create.get("event_id"), f"bad key {API_KEY}"))
                await server.call("canary", {}, "c2")  # a frame after it: the warning is out
                assert await server.output_for("c2") == "tweet"
                with anyio.fail_after(5):
                    while not events:
                        await anyio.sleep(0.01)
    told = [repr(e) for e in events if API_KEY in repr(e)]
    assert told == [], told


async def test_hosted_mcp_credentials_echoed_in_an_unknown_frame_stay_out_of_the_warning() -> None:
    """``HostedMCP``'s ``authorization`` "appears nowhere else (not in reprs, logs, events or
    spans)" (its docstring). An echo in ``session.updated`` is hidden (``wire.redact``); the
    same echo in a frame the session cannot read (a type this version does not model) is
    copied, as the frame's first 200 characters, into the ``session.warning``'s
    ``detail["frame"]``."""
    from rtagents.mcp import HostedMCP

    token = "mcp-oauth-token-31415"
    hosted = HostedMCP("docs", server_url="https://mcp.example.com/mcp", authorization=token)
    tool = {"type": "mcp", "server_label": "docs", "authorization": token}
    warnings: list[Any] = []
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(
                rtagents.Agent(name="h", tools=[canary, hosted]), url=server.url
            ) as session:
                session.on("session.warning")(warnings.append)
                await server.send({"type": "session.config.echoed", "session": {"tools": [tool]}})
                await server.call("canary", {}, "c1")
                assert await server.output_for("c1") == "tweet"
    assert warnings, "the unknown frame was not even warned of"
    told = [repr(w) for w in warnings if token in repr(w)]
    assert told == [], told

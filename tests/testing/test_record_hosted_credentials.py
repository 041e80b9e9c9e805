"""``HostedMCP``'s ``authorization`` and header values "are sent to the Realtime server in
``session.update`` and appear nowhere else (not in reprs, logs, events or spans)", and its URL
query counts as a secret too (failures.md). ``run_agent`` returns a ``SessionRecord`` whose
``client_events`` are the frames the emulator received, kept verbatim: the record's repr (a
dataclass's, printed by a failing test's ``print(record)``, a debugger, a log line) shows the
OAuth token, the header value and the URL token. The emulator really calls the hosted server
with them, so a test of an agent against a real hosted MCP server holds real ones."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.mcp import HostedMCP
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio
TOKEN = "oauth-token-31415926"
HEADER = "header-key-27182818"
URL_TOKEN = "url-token-16180339"


async def test_a_session_records_repr_never_shows_hosted_mcp_credentials() -> None:
    hosted = HostedMCP(
        "docs",
        server_url=f"http://127.0.0.1:9/mcp?key={URL_TOKEN}",  # (nothing listens)
        authorization=TOKEN,
        headers={"X-Api-Key": HEADER},
        require_approval="never",
    )
    agent = rtagents.Agent(name="a", tools=[hosted], output_modalities=["text"])
    record = await run_agent(agent, ["hi"], "hello", within=15)
    assert record.sent("session.update")  # the configuration is recorded
    shown = repr(record)
    assert [s for s in (TOKEN, HEADER, URL_TOKEN) if s in shown] == []

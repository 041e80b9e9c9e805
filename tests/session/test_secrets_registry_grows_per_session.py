"""Rule broken: a process carries thousands of sessions over its life, and what a closed
session leaves behind must be bounded (docs/deployment.md, "Many sessions in one process").

Every credential a session is given (``connect(headers=...)``'s values, ``api_key=``, a
``HostedMCP``'s ``authorization`` or headers, an ``MCPServerHTTP``'s headers) goes into the
process-wide set of secrets that log redaction masks (``rtagents._redact._secrets``), and
nothing ever takes it out: not the session's close, not the ``HostedMCP`` being freed. An app
that gives each call its own credential (a caller's OAuth token for a hosted connector, built in
the ``route`` of a ``CallServer``; a per-session header) grows that set by one string per call,
for ever. Worse than the memory: ``redact()`` sorts the whole set and scans each log record
for every entry, in the record factory, on the event loop. Measured here: 0.01 ms a record with
no secrets, 0.47 ms with 10,000, 2.9 ms with 50,000 (every uvicorn access line, every
``rtagents`` warning, ...).
"""

from __future__ import annotations

import gc
import secrets

import anyio
import pytest

import rtagents
from rtagents import _redact
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP

pytestmark = pytest.mark.anyio

SESSIONS = 60
BOUND = 5  # what a fixed set of the app's own credentials would add


async def test_per_session_header_values_do_not_accumulate_in_the_secret_registry() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel([], then="ok"), record=0) as emu:
        async with rtagents.connect(agent, url=emu.url, headers={"X-Caller": "warm-up-1"}):
            pass
        before = len(_redact._secrets)
        for _ in range(SESSIONS):
            token = "caller-" + secrets.token_hex(12)  # this call's own credential
            async with rtagents.connect(agent, url=emu.url, headers={"X-Caller": token}):
                pass
            with anyio.fail_after(5):
                while emu.connections and not emu.last.closed.is_set():
                    await anyio.sleep(0.005)
    grown = len(_redact._secrets) - before
    assert grown <= BOUND, (
        f"the secret registry grew by {grown} after {SESSIONS} sessions had closed "
        "(one per session's header value, never released)"
    )


async def test_per_call_hosted_mcp_tokens_do_not_accumulate_in_the_secret_registry() -> None:
    def route() -> rtagents.Agent:  # a CallServer's route: the caller's own OAuth token
        token = "oauth-" + secrets.token_hex(12)
        gmail = HostedMCP("gmail", connector_id="connector_gmail", authorization=token)
        return rtagents.Agent(name="a", tools=[gmail])

    route()
    gc.collect()
    before = len(_redact._secrets)
    for _ in range(SESSIONS):
        route()  # the agent (and its HostedMCP) is dropped when its call ends
    gc.collect()
    grown = len(_redact._secrets) - before
    assert grown <= BOUND, (
        f"the secret registry grew by {grown} after {SESSIONS} per-call HostedMCP objects "
        "were freed (their tokens are never released)"
    )


async def test_the_environments_key_stays_a_secret_after_the_sessions_that_passed_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``OPENAI_API_KEY`` is the process's secret (failures.md), also when an app passes it
    on as ``api_key=``: the end of that session does not let it go."""
    key = "env-key-" + secrets.token_hex(12)  # not of the sk- shape: only holding hides it
    monkeypatch.setenv("OPENAI_API_KEY", key)
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel([], then="ok"), record=0) as emu:
        async with rtagents.connect(agent, url=emu.url, api_key=key):
            pass
    assert _redact.redact(f"the key {key} leaked") == "the key [redacted] leaked"

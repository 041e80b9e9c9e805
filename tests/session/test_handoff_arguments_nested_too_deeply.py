"""failures.md: tool arguments "that fail validation, or are nested too deeply" are
``tool.call.failed`` with ``kind="invalid_arguments"``, telling the model which argument is
wrong. A handoff's transfer tool parses its arguments with a bare ``json.loads`` that catches
``ValueError`` only: arguments nested past the parser's depth escape as a ``RecursionError``
into the session's fallback for a tool whose own machinery broke, so the call fails as
``kind="error"``, the model is told ``RecursionError: maximum recursion depth exceeded``, and
the log gets an internal traceback. (Function tools and MCP tools answer it as
``invalid_arguments``: ``test_hostile.py::test_tool_arguments_nested_thousands_deep_are_answered``.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

import rtagents

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


async def test_transfer_arguments_nested_too_deeply_are_invalid_arguments() -> None:
    billing = rtagents.Agent(name="billing", instructions="You handle refunds.")
    triage = rtagents.Agent(name="triage", handoffs=[billing])
    failed: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url) as session:
            session.on("tool.call.failed")(failed.append)
            await server.call("transfer_to_billing", "[" * 100_000 + "]" * 100_000, "deep")
            body = json.loads(await server.output_for("deep"))
    # Observed: "error" ("RecursionError: maximum recursion depth exceeded while decoding ...")
    assert body["error"] == "invalid_arguments", body["message"]
    assert [e.kind for e in failed] == ["invalid_arguments"]

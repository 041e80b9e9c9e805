"""Every kind of content a local MCP tool returns reaches the model as the docs say: content
it cannot read is named in brackets with its kind and MIME type."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import rtagents
from rtagents.emulator import CallFunction
from tests.mcp.test_error_answers import converse, echo

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

REVIEW_SERVER = str(Path(__file__).with_name("review_server.py"))


async def test_an_embedded_blob_resource_is_named_with_its_mime_type() -> None:
    server = rtagents.mcp.MCPServerStdio(sys.executable, [REVIEW_SERVER], name="rv")
    agent = rtagents.Agent(name="r", tools=[server], output_modalities=["text"])
    _, outputs = await converse(agent, [CallFunction("pdf", {}, call_id="p"), echo])
    assert "application/pdf" in outputs["p"], outputs["p"]

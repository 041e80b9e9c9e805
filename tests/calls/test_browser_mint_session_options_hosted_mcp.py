"""docs/browser.md: "So that a page can never approve what the agent's approval policy holds
back, ``POST /session`` refuses (400, naming the server) an agent with a hosted MCP server
that asks for approval". ``page_could_approve`` looks only at ``agent.sources.hosted``
(``HostedMCP`` objects in ``tools``). A hosted MCP server the agent declares through
``session_options`` (docs/agent.md: "any other session field, merged last") is in the
minted session all the same (``page_session`` keeps every ``"type": "mcp"`` tool) and in
the sideband's ``session.update``; it asks for approval, and the page, a client of the
session, can answer ``approve: true`` over the policy. The secret is minted: fail open.

Real parts: a CallServer under uvicorn, the emulator as the API (its client secret's
session is what a page's WebRTC call gets)."""

from __future__ import annotations

import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.approvals.rules import ask
from rtagents.emulator import ScriptedModel
from tests.calls.browser_call import browser_app

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

ASKING = {
    "type": "mcp",
    "server_label": "pay",
    "server_url": "https://pay.example.com/mcp",
    "require_approval": "always",
}


async def test_no_secret_when_session_options_declare_an_asking_hosted_server() -> None:
    agent = rtagents.Agent(
        name="shop",
        session_options={"tools": [ASKING]},
        approval=ApprovalPolicy(rules=[ask(server="pay")]),
        output_modalities=["text"],
    )
    async with browser_app(model=ScriptedModel([]), agent=agent) as (emu, app, http):
        minted = await http.post("/session")
        session = None
        if minted.status_code == 200:
            session = emu.client_secrets.session(minted.json()["client_secret"])
    assert minted.status_code == 400, (
        f"a client secret was minted ({minted.status_code}) whose session has a hosted MCP "
        f"server that asks for approval, which the page can approve: {session}"
    )

"""docs/browser.md: the server mints the page's client secret and runs the agent's tools on a
sideband because "the page cannot run Python tools, and should not hold MCP credentials";
docs/failures.md: "A ``HostedMCP``'s ``authorization``, header values and URL query count as
secrets" (``HostedMCP`` holds its URL's path as one too: "an MCP service's URL may be its own
credential: Zapier's ``/api/mcp/s/<token>/mcp``").

``POST /session`` minted the page's session with the agent's hosted MCP servers as they are,
``server_url`` included, and the API echoes a session's tools (``server_url`` with them) to
every client of the session: the page's own data channel gets them in ``session.created``
and in each ``session.updated``. The ``authorization`` is left out by the server; a token
in the URL reaches the browser, where any script of the page (or the user's console)
reads it and can call the MCP server with the app's credential. ``POST /session`` refuses
such an agent now (400, naming the server and never the credential), as it refuses a server
that asks for approval; a server whose credential is in its ``authorization`` is minted.

Real parts: a CallServer under uvicorn, the emulator as the API, an aiortc page over
WebRTC."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from rtagents.emulator import ScriptedModel
from rtagents.mcp import HostedMCP
from tests.calls.browser_call import browser_app, page_call

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

TOKEN = "zT0kEn5ecretAbCdEf0123456789"


@pytest.mark.parametrize(
    "url",
    [
        f"https://mcp.zapier.com/api/mcp/s/{TOKEN}/mcp",
        f"https://mcp.example.com/mcp?api_key={TOKEN}",
        f"https://user:{TOKEN}@mcp.example.com/mcp",
    ],
    ids=["path", "query", "password"],
)
async def test_no_secret_for_a_hosted_server_whose_url_is_a_credential(url: str) -> None:
    zapier = HostedMCP("zap", url, require_approval="never")
    agent = rtagents.Agent(name="helper", tools=[zapier], output_modalities=["text"])
    async with browser_app(model=ScriptedModel([]), agent=agent) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 400, minted.text
    error = minted.json()["error"]
    assert "'zap'" in error and "credential" in error, error
    assert TOKEN not in minted.text


async def test_the_page_gets_no_credential_of_a_server_authorized_by_header() -> None:
    hosted = HostedMCP(
        "zap", "https://mcp.zapier.com/mcp", authorization=TOKEN, require_approval="never"
    )
    agent = rtagents.Agent(name="helper", tools=[hosted], output_modalities=["text"])
    async with browser_app(model=ScriptedModel([]), agent=agent) as (emu, app, http):
        minted = await http.post("/session")
        assert minted.status_code == 200, minted.text
        async with page_call(emu, http) as (browser, call_id, secret):
            await browser.until("session.created")
            body = {"call_id": call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            assert attached.json() == {"status": "attached"}, attached.text
            with anyio.fail_after(10):  # the sideband's configuration, as the page sees it
                await browser.until("session.updated")
            leaked = [e["type"] for e in browser.seen if TOKEN in json.dumps(e)]
            listed = [e for e in browser.seen if "mcp.zapier.com" in json.dumps(e)]
    assert listed, "the page never saw the hosted server: the check above proves nothing"
    assert leaked == [], f"the page's data channel carried the server's token in {leaked}"

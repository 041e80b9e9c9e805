"""Regression review of d43577f (docs/browser.md: ``POST /session`` refuses "an agent with a
hosted server whose URL carries a credential (a password, a query value, or a path that is a
token of its own, as Zapier's ``/api/mcp/s/<token>/mcp``)").

The rule reads the URL with ``url_secrets(url, path=True)``, made to choose what a log line
hides ("more is hidden, never less"): any path that is not made only of ``mcp``, ``sse``,
``api``, ``v1``... is "a credential". A hosted server at a plain, public path (GitMCP's
``/openai/tiktoken``, GitHub's MCP toolsets at ``/mcp/x/repos``) is refused, and the app is
told to move a credential it does not have into ``authorization``. Before d43577f these
agents were minted; nothing in them is a secret.

Real parts: a CallServer under uvicorn, the emulator as the API."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from rtagents.emulator import ScriptedModel
from rtagents.mcp import HostedMCP
from tests.calls.browser_call import browser_app, page_call

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.mark.parametrize(
    "url",
    ["https://gitmcp.io/openai/tiktoken", "https://api.githubcopilot.com/mcp/x/repos"],
    ids=["gitmcp", "github-toolset"],
)
async def test_a_hosted_server_at_a_plain_path_is_minted(url: str) -> None:
    docs = HostedMCP("docs", url, require_approval="never")
    agent = rtagents.Agent(name="helper", tools=[docs], output_modalities=["text"])
    async with browser_app(model=ScriptedModel([]), agent=agent) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 200, f"refused: {minted.json().get('error')}"


TOKEN = "sk_live_51HxT0kenT0kenT0ken0123"


@pytest.mark.parametrize(
    "url",
    [f"https://{TOKEN}@mcp.example.com/mcp", f"https://{TOKEN}:@mcp.example.com/mcp"],
    ids=["user-token", "user-token-empty-password"],
)
async def test_a_token_in_the_user_part_is_refused(url: str) -> None:
    """The other way: a key given as the URL's user name (HTTP Basic with the key as the
    user and no password, as Stripe's ``-u sk_live_...:``) is a credential in the URL as much
    as a password is; ``url_secrets`` reads only the password, so it is minted, and the page
    gets the key with the session's tools."""
    server = HostedMCP("payments", url, require_approval="never")
    agent = rtagents.Agent(name="helper", tools=[server], output_modalities=["text"])
    leaked: list[str] = []
    async with browser_app(model=ScriptedModel([]), agent=agent) as (emu, app, http):
        minted = await http.post("/session")
        if minted.status_code == 200:  # what the page then sees of the session
            async with page_call(emu, http) as (browser, call_id, secret):
                with anyio.fail_after(10):
                    await browser.until("session.created")
                leaked = [e["type"] for e in browser.seen if TOKEN in json.dumps(e)]
    assert minted.status_code == 400, (
        f"minted ({minted.status_code}); the page's data channel carried the key in {leaked}"
    )

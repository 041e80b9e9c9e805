"""A password in a URL (``https://user:password@host/...``) reaches the log: httpx logs
each request's URL at INFO, and ``redact`` masks a URL's query by shape but its userinfo only
when the URL was registered. The emulator posts a call's webhook to the URL a client gives
(``place_call``, ``POST /v1/emulator/calls``), which is never registered: a webhook behind
basic auth has its password logged."""

from __future__ import annotations

import logging

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtagents._redact import redact
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio

PASSWORD = "hunter2-basic-auth-pw"


async def test_a_webhook_urls_password_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    got: list[str] = []

    async def hook(request: Request) -> JSONResponse:
        got.append(request.headers.get("authorization", ""))
        return JSONResponse({"status": "ignored"})

    app = Starlette(routes=[Route("/openai/webhook", hook, methods=["POST"])])
    with caplog.at_level(logging.INFO):
        async with serve_asgi(app) as url, Emulator() as emu:
            webhook = url.replace("http://", f"http://app:{PASSWORD}@") + "/openai/webhook"
            emu.place_call(webhook, SECRET)
            with anyio.fail_after(10):
                while not got:
                    await anyio.sleep(0.02)
            await anyio.sleep(0.2)  # httpx logs once the response is in
    assert got and got[0].startswith("Basic ")  # the webhook was posted, with the password
    assert "HTTP Request: POST" in caplog.text
    assert PASSWORD not in caplog.text


def test_redact_masks_a_urls_password_by_shape() -> None:
    assert PASSWORD not in redact(f"POST https://app:{PASSWORD}@example.com/openai/webhook")


def test_any_urls_password_is_masked_and_header_names_alone_are_not() -> None:
    """A password goes by its shape in any scheme's URL (a database's, Redis'); a list of
    header names alone (no values) reads as it was."""
    from rtagents._redact import redact

    assert redact("postgres://u:secret@db/x") == "postgres://u:[redacted]@db/x"
    assert redact("redis://:secret@r:6379/0") == "redis://:[redacted]@r:6379/0"
    names = "('authorization', 'cookie', 'content-type')"
    assert redact(names) == names


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("POST https://sk_live_4eC39HqLyjWDarjtT1zdp7dc@mcp.example.com/mcp", "sk_live_4eC", ""),
        ("POST https://4eC39HqLyjWDarjtT1zdp7dc:@mcp.example.com/mcp", "4eC39Hq", ""),
        ("GET https://alice@example.com/x", "", "alice@"),  # a plain user name stays
    ],
)
def test_a_key_given_as_a_urls_user_name_is_masked_by_shape(
    text: str, hidden: str, kept: str
) -> None:
    """A key may come as the user name alone (``https://KEY@host``, or ``KEY:@``): masked
    by shape, as a password is, when it reads as a token."""
    said = redact(text)
    assert not hidden or hidden not in said, said
    assert kept in said

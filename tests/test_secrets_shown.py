"""Secrets stay out of what the library shows: log records of loggers made after the import,
connect errors for odd URLs and header values, reprs, and what the calls app tells a browser.
A key read from a file (with its trailing newline) works, and is never echoed."""

from __future__ import annotations

import logging
import subprocess
import sys
import traceback

import pytest

import rtagents
from rtagents._redact import redact_url
from rtagents.errors import ConnectError
from rtagents.mcp import HostedMCP, MCPServerHTTP, MCPServerStdio
from rtagents.session.connect import endpoint

pytestmark = pytest.mark.anyio

TOKEN = "tok-9f8e7d6c5b4a"
KEY = "key-1a2b3c4d5e6f7a8b"  # not of the sk- shape: only registration hides it


def test_a_logger_made_after_the_import_is_redacted_too(caplog: pytest.LogCaptureFixture) -> None:
    # No connect() has run in this process (a fresh interpreter): only the import's hook.
    script = (
        "import logging, sys\n"
        "import rtagents\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.DEBUG)\n"
        "for name in ('uvicorn.error', 'rtagents.calls', 'httpcore2.http11', 'mcp.fresh'):\n"
        f"    logging.getLogger(name).info('WebSocket /twilio?token={TOKEN} 403')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.count("/twilio?[redacted] 403") == 4, out.stdout + out.stderr
    assert TOKEN not in out.stdout + out.stderr


def test_another_librarys_records_are_left_as_they_are(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="someapp"):
        logging.getLogger("someapp").info("GET /x?page=2")
    assert "GET /x?page=2" in caplog.text


def test_a_key_read_from_a_file_is_stripped() -> None:
    _, headers = endpoint("ws://127.0.0.1:1/v1/realtime", f"{KEY}\n", None, "m", None)
    assert headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("where", ["key", "header"])
def test_a_line_break_inside_a_credential_is_refused_without_echoing_it(where: str) -> None:
    bad = f"{KEY}\nX-Injected: 1"
    key, headers = (bad, None) if where == "key" else (None, {"X-Token": bad})
    with pytest.raises(ConnectError) as caught:
        endpoint("ws://127.0.0.1:1/v1/realtime", key, headers, "m", None)
    assert KEY not in str(caught.value)
    assert ("API key" if where == "key" else "X-Token header") in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        f"127.0.0.1:8000/v1/realtime?token={TOKEN}",  # no scheme
        f"ws:///v1/realtime?token={TOKEN}",  # no host: websockets' InvalidURI
        f"ws://user:{TOKEN}@127.0.0.1:1/v1/realtime",  # a password, and nothing listening
    ],
)
async def test_connect_errors_never_repeat_a_token_or_a_password(url: str) -> None:
    with pytest.raises(ConnectError) as caught:
        async with rtagents.connect(rtagents.Agent(name="a"), url=url, reconnect=None):
            pass
    shown = "".join(traceback.format_exception(caught.value))  # what a crash would print
    assert TOKEN not in shown


def test_a_shown_url_keeps_its_host_and_path_only() -> None:
    assert redact_url(f"wss://u:{TOKEN}@h.example:8/v1/x?token={TOKEN}#{TOKEN}") == (
        "wss://[redacted]@h.example:8/v1/x"
    )
    assert redact_url("https://h.example/v1") == "https://h.example/v1"


def test_a_hosted_mcp_repr_shows_no_url_token() -> None:
    hosted = HostedMCP("notes", server_url=f"https://mcp.example/mcp?token={TOKEN}")
    assert TOKEN not in repr(hosted) and "https://mcp.example/mcp" in repr(hosted)
    assert TOKEN not in repr(rtagents.Agent(name="a", tools=[hosted]))


def test_a_local_mcp_servers_repr_shows_no_password_and_its_logs_none(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"https://bob:{TOKEN}@mcp.example.com/mcp?key={KEY}"
    server = MCPServerHTTP(url, name="crm")
    assert TOKEN not in repr(server) and KEY not in repr(server)
    assert "mcp.example.com/mcp" in repr(server)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("rtagents.mcp").warning("connecting to %s", url)
    assert TOKEN not in caplog.text and KEY not in caplog.text


def test_a_stdio_mcp_servers_repr_shows_none_of_its_arguments() -> None:
    """A token is often given on the command line (``--token=...``, ``--api-key KEY``): the
    repr (and so an agent's) says the command and how many arguments, never their values."""
    server = MCPServerStdio("npx", ["-y", "@acme/mcp", f"--token={TOKEN}", "--key", KEY])
    shown = repr(server) + repr(rtagents.Agent(name="a", tools=[server]))
    assert TOKEN not in shown and KEY not in shown
    assert "npx" in repr(server) and "5 arguments" in repr(server)


def test_the_calls_api_strips_a_key_and_refuses_a_broken_one() -> None:
    pytest.importorskip("httpx2")
    from rtagents.calls.rest import CallsAPI

    api = CallsAPI(f"{KEY}\n", "http://127.0.0.1:1/v1")
    assert api._client.headers["Authorization"] == f"Bearer {KEY}"
    with pytest.raises(ValueError) as caught:
        CallsAPI(f"{KEY}\nX: 1", "http://127.0.0.1:1/v1")
    assert KEY not in str(caught.value)


def test_the_environments_openai_key_goes_to_openai_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """``OPENAI_API_KEY`` is sent to OpenAI's hosts, never to another URL (an emulator, a
    proxy, a URL someone gave): that one is given its key as ``api_key=``, or none."""
    from rtagents.session.connect import endpoint

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    _, to_openai = endpoint(None, None, None, "gpt-realtime", None)
    _, elsewhere = endpoint("ws://127.0.0.1:9/v1/realtime", None, None, "gpt-realtime", None)
    _, given = endpoint("ws://127.0.0.1:9/v1/realtime", "ek-emu", None, "gpt-realtime", None)
    assert to_openai == {"Authorization": f"Bearer {KEY}"}
    assert elsewhere == {} and given == {"Authorization": "Bearer ek-emu"}


@pytest.mark.parametrize(
    "url", ["ws://127.0.0.1:99999/v1/realtime", "ws://127.0.0.1:80a/v1", "ws://[::1/v1"]
)
def test_a_url_that_cannot_be_read_is_a_connect_error(url: str) -> None:
    from rtagents.session.connect import endpoint

    with pytest.raises(ConnectError, match="not a URL"):
        endpoint(url, None, None, "gpt-realtime", None)

"""failures.md (Secrets): "Errors and reprs show a URL with neither its query, its fragment
nor a password (one holding an unescaped `/`, `?` or `#` included)", and a ``CallServer``'s
``base_url`` password (a proxy's basic auth) is a secret (test_base_url_password.py). With
an unescaped ``/`` in that password, httpx reads what precedes it as the port: every REST
request raises ``httpx2.InvalidURL: Invalid port: '<password head>'``. ``CallsAPI`` lets that
out as it is (it catches ``HTTPError`` only, and ``InvalidURL`` is none), and the password
registered is the whole one, so its head is masked nowhere: not in the error a ``CallsAPI``
method raises, not in the server's log, not in the call's record."""

from __future__ import annotations

import traceback

import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.rest import CallsAPI
from rtagents.emulator import Emulator
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio
HEAD = "Zq8rT2vLx9Wk"
PASSWORD = f"{HEAD}/a1"


async def test_a_calls_api_error_never_quotes_the_base_urls_password() -> None:
    # Refused as it is made (httpx would refuse it at the first request, quoting the head).
    with pytest.raises(ValueError) as caught:
        CallsAPI("sk-test-0123456789abcdef", f"http://alice:{PASSWORD}@127.0.0.1:9/v1")
    shown = "".join(traceback.format_exception(caught.value))
    assert HEAD not in shown, f"{type(caught.value).__name__}: {caught.value}"
    assert "must be %-escaped" in str(caught.value)


async def test_a_browser_mint_through_such_a_proxy_logs_no_password(log_lines: list[str]) -> None:
    async with Emulator() as emu:
        with pytest.raises(ValueError) as caught:  # refused as the app is made: never a 500
            CallServer(
                agent=rtagents.Agent(name="a"),
                webhook_secret=SECRET,
                api_key="sk-test-0123456789abcdef",
                base_url=f"http://alice:{PASSWORD}@127.0.0.1:{emu.port}/v1",
                authorize=lambda request: True,
            )
    leaked = [line for line in log_lines if HEAD in line]
    assert HEAD not in str(caught.value), str(caught.value)
    assert leaked == [], leaked[:3]


async def test_an_mcp_servers_connect_error_never_quotes_its_urls_password(
    log_lines: list[str],
) -> None:
    """The same for ``MCPServerHTTP``: its URL's password is held (``url_secrets``), whole,
    and the ``MCPConnectError`` says ``InvalidURL: Invalid port: '<password head>'``."""
    from rtagents.mcp import MCPConnectError, MCPServerHTTP

    with pytest.raises((MCPConnectError, ValueError)) as caught:  # (refused as it is made)
        server = MCPServerHTTP(
            f"http://alice:{PASSWORD}@127.0.0.1:9/mcp", name="crm", connect_timeout=3
        )
        async with server:
            pass
    shown = "".join(traceback.format_exception(caught.value))
    assert HEAD not in shown, str(caught.value)
    assert [line for line in log_lines if HEAD in line] == []

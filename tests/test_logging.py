"""Making an in-process MCP server leaves the app's logging as it was."""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import anyio
import pytest


def test_making_an_mcp_server_does_not_configure_logging() -> None:
    program = (
        "import logging\n"
        "from rtagents.testing import mcp_server\n"
        "server = mcp_server('quiet')\n"
        "root = logging.getLogger()\n"
        "print(root.level, len(root.handlers))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.stdout.split() == [str(30), "0"], result.stderr  # WARNING, no handler


def test_the_demo_prints_no_library_info_lines() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rtagents", "demo"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "HTTP Request" not in result.stdout + result.stderr


def test_twilio_signatures_and_webhook_signatures_are_redacted() -> None:
    from rtagents._redact import redact

    for name in ("X-Twilio-Signature", "x-twilio-signature", "X-TWILIO-SIGNATURE"):
        for line in (f"> {name}: q1w2e3r4t5y6u7+/=", f"{{'{name}': 'q1w2e3r4t5y6u7+/='}}"):
            assert "q1w2e3r4t5y6u7" not in redact(line), line
    assert "v1,c2lnbmF0dXJl" not in redact("webhook-signature: v1,c2lnbmF0dXJl")


@pytest.mark.anyio
async def test_a_twilio_handshake_logged_at_debug_shows_no_signature(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import rtagents
    from rtagents.calls import CallServer, TwilioStreams, twilio_signature
    from rtagents.testing import TwilioMediaClient, serve_asgi

    caplog.set_level(logging.DEBUG)
    token = "twilio-auth-token-for-logs"
    app = CallServer(
        agent=rtagents.Agent(),
        webhook_secret="whsec_c2VjcmV0",
        api_key="-",
        base_url="http://127.0.0.1:9/v1",
        twilio=TwilioStreams(auth_token=token, start_timeout=0.2),
    )
    async with serve_asgi(app) as url:
        ws = url.replace("http", "ws", 1) + "/twilio"
        signature = twilio_signature(token, ws.replace("ws://", "wss://"))
        phone = TwilioMediaClient(ws, auth_token=token, playback="instant")
        with contextlib.suppress(Exception):  # the stream fails later: no API here
            async with phone:
                with anyio.fail_after(5):
                    while phone.closed is None:
                        await anyio.sleep(0.01)
    assert "X-Twilio-Signature" in caplog.text  # the handshake was logged
    assert signature not in caplog.text


APP = """
from rtagents.calls import CallServer
import rtagents

app = CallServer(agent=rtagents.Agent(), webhook_secret="whsec_c2VjcmV0", api_key="sk-x")
"""


def test_uvicorn_access_log_works_and_shows_no_secret(tmp_path: Path) -> None:
    (tmp_path / "access_app.py").write_text(APP)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "access_app:app", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        secret = "?token=tok-abcdef123456&key=sk-proj-abcdefghijkl"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz{secret}", timeout=2):
            pass
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    logs = out + err
    assert "--- Logging error ---" not in logs, logs
    assert '"GET /healthz HTTP/1.1" 200' in logs, logs  # the access line is printed
    assert '"GET /healthz?[redacted] HTTP/1.1" 200' in logs, logs
    assert "tok-abcdef" not in logs and "sk-proj" not in logs

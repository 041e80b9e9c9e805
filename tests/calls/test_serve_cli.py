"""``rtagents serve MODULE:APP`` runs a CallServer under uvicorn from the shell."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

APP = """
import rtagents
from rtagents.calls import CallServer

app = CallServer(agent=rtagents.Agent(name="a"), webhook_secret="whsec_c2VjcmV0", api_key="-")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_a_call_server(tmp_path: Path) -> None:
    (tmp_path / "phone_app.py").write_text(APP)
    port = free_port()
    command = [sys.executable, "-m", "rtagents", "serve", "phone_app.py:app", "--port", str(port)]
    server = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                reply = httpx2.post(f"http://127.0.0.1:{port}/openai/webhook", content=b"{}")
                break
            except httpx2.ConnectError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert reply.status_code == 400  # unsigned: refused
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_says_what_is_wrong(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rtagents", "serve", "missing.py:app"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "no file 'missing.py'" in done.stderr


def test_a_call_is_placed_from_the_shell() -> None:
    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        assert "listening" in emulator.stdout.readline()
        base = f"http://127.0.0.1:{port}/v1"
        placed = subprocess.run(
            [
                sys.executable,
                "-m",
                "rtagents",
                "call",
                "--emulator",
                base,
                "--webhook",
                "http://127.0.0.1:9/nowhere",
                "--secret",
                "whsec_c2VjcmV0",
                "--say",
                "Hello?",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert placed.returncode == 0, placed.stderr
        call_id = placed.stdout.strip()
        record = httpx2.get(f"{base}/emulator/calls/{call_id}").json()
        assert record["status"] == "ringing" and call_id.startswith("rtc_")
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

"""Ctrl-C on ``rtagents emulator`` (``make emulator``) while a client is connected (the
openai SDK, an agent under development: the usual case) must stop it quietly, as it does
with nobody connected. The command never stops its ``Emulator``: ``asyncio.run`` cancels the
open connection's task as it tears the loop down, and uvicorn prints "Exception in ASGI
application" and a traceback of some 60 lines (a ``CancelledError``) on the way out."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import anyio
import pytest
import websockets

from tests.cli.harness import env

pytestmark = pytest.mark.anyio


async def test_ctrl_c_with_a_client_connected_prints_no_traceback() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = None
        with anyio.fail_after(15):
            while url is None:
                line = await anyio.to_thread.run_sync(proc.stdout.readline)
                assert line, "the emulator ended before it printed its URL"
                if m := re.search(r"websocket URL: (\S+)", line):
                    url = m.group(1)
        async with websockets.connect(f"{url}?model=gpt-realtime") as ws:
            with anyio.fail_after(10):
                assert '"session.created"' in str(await ws.recv())
            proc.send_signal(signal.SIGINT)
            with anyio.fail_after(15):
                code = await anyio.to_thread.run_sync(proc.wait)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "Traceback" not in stderr, stderr[:400]
    assert code == 0

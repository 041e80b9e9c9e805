"""The openai Node SDK's realtime client runs a tool call against the emulator over wss://,
with the browser-style handshake (the ``realtime`` subprotocol, the key in a subprotocol)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import anyio
import pytest

from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

# One worker for the module: two tests installing the Node SDK at once in the same folder
# collide (npm's ENOTEMPTY, seen in CI).
pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("node")]
HERE = Path(__file__).parent / "node"
KEY = "sk-node-oracle"


def node_ready() -> list[str]:
    """The command that runs the client, after installing the SDK if it is not yet."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed: the Node SDK client cannot run")
    # Ready means the client's imports load, not that the folder exists: a node_modules left
    # half there (an install stopped midway, a copy that left files out) says "up to date" to
    # `npm install` and fails at import (seen in CI). `npm ci` installs afresh from the lock.
    loads = ["--input-type=module", "-e", "import 'openai'; import 'openai/realtime/websocket';"]
    # One install at a time, whichever worker asks (a lock across processes).
    with open(Path(tempfile.gettempdir()) / "rtagents-node-oracle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if subprocess.run([node, *loads], cwd=HERE, capture_output=True).returncode != 0:
            _install(npm)
    major = int(
        subprocess.run([node, "--version"], capture_output=True, text=True).stdout[1:].split(".")[0]
    )
    # Node has a global WebSocket from 22 on; before, behind a flag.
    return [node, *(["--experimental-websocket"] if major < 22 else []), "realtime_client.mjs"]


def _install(npm: str) -> None:
    """``npm ci``, once more after removing ``node_modules`` ourselves if it fails: npm's own
    removal of a tree left half there fails at times (ENOTEMPTY, seen in CI)."""
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    if subprocess.run(command, cwd=HERE, timeout=300).returncode != 0:
        shutil.rmtree(HERE / "node_modules", ignore_errors=True)
        subprocess.run(command, cwd=HERE, check=True, timeout=300)


async def test_the_node_sdk_runs_a_tool_call_over_wss() -> None:
    command = node_ready()

    def answer(ctx: ModelContext) -> str:
        return f"It is {ctx.pending_outputs[0]['output']}."

    model = ScriptedModel([CallFunction("get_weather", {}), answer])
    async with Emulator(model=model, tls=True, api_key=KEY) as emu:
        assert emu.url.startswith("wss://") and emu.certificate is not None
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(emu.certificate)}
        base = emu.base_url.replace("wss://", "https://")  # the SDK makes it wss:// again
        with anyio.fail_after(30):
            done = await anyio.run_process([*command, base, KEY], cwd=HERE, env=env, check=False)
        assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
        result = json.loads(done.stdout.decode().strip().splitlines()[-1])
        assert result["text"] == "It is sunny."
        assert result["seen"][:2] == ["session.created", "conversation.created"]
        handshake = emu.last
    assert handshake.received[0]["type"] == "session.update"


async def test_a_wrong_key_is_refused_as_the_real_server_refuses_it() -> None:
    command = node_ready()
    async with Emulator(tls=True, api_key=KEY) as emu:
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(emu.certificate)}
        base = emu.base_url.replace("wss://", "https://")
        with anyio.fail_after(30):
            done = await anyio.run_process(
                [*command, base, "sk-wrong"], cwd=HERE, env=env, check=False
            )
        assert done.returncode != 0
        assert emu.connections == []

"""Operations of a CallServer: liveness and readiness, and a graceful drain (in-process and
on SIGTERM to ``rtagents serve``): no new calls are taken, a tool call in flight finishes and
its output reaches the server before the session closes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import anyio.lowlevel
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.lifecycle import HUNG_UP_BY_DRAIN
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@rtagents.tool
async def slow_lookup(key: str) -> str:
    """Looks something up, slowly."""
    await anyio.sleep(1.0)
    return f"found {key}"


def outputs(emu: Emulator, call_id: str) -> list[str]:
    return [t["output"] for t in emu.desk.calls[call_id].tool_calls if t.get("output")]


async def test_health_and_readiness() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            agent=rtagents.Agent(), webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            assert (await http.get("/healthz")).json() == {"status": "ok"}
            ready = await http.get("/readyz")
            assert ready.status_code == 200 and ready.json() == {"status": "ready", "calls": 0}
            await app.drain(0)
            draining = await http.get("/readyz")
            assert draining.status_code == 503 and draining.json()["status"] == "draining"
            assert (await http.get("/healthz")).status_code == 200  # alive, just not ready


async def test_a_drain_lets_the_tool_in_flight_deliver_and_refuses_new_calls() -> None:
    model = ScriptedModel([CallFunction("slow_lookup", {"key": "k"}), "Done."], then="ok")
    agent = rtagents.Agent(name="ops", tools=[slow_lookup])
    async with Emulator(model=model) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Look it up."])
            with anyio.fail_after(10):
                while not emu.desk.calls[call_id].tool_calls:
                    await anyio.sleep(0.01)
            async with anyio.create_task_group() as tg:
                tg.start_soon(app.drain, 0.2)  # shorter than the tool: sessions are drained
                await anyio.sleep(0.05)
                late = emu.place_call(f"{url}/openai/webhook", SECRET)
                with anyio.fail_after(5):
                    while not emu.desk.calls[late].webhook:
                        await anyio.sleep(0.01)
            record = app.calls[call_id]
            assert outputs(emu, call_id) == ["found k"]
            assert record.session.closed_reason == "closed by the client"
    assert emu.desk.calls[late].webhook["status"] == 503  # OpenAI retries it elsewhere
    assert late not in app.calls


def ops_app(emu: Emulator) -> CallServer:
    """An app on the default registry (this process only) with an agent of no tools."""
    agent = rtagents.Agent(name="ops")
    return CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)


async def call_up(emu: Emulator, app: CallServer, url: str) -> str:
    """A call placed to ``app``, once its session is open."""
    call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
    with anyio.fail_after(10):
        while call_id not in app.calls or app.calls[call_id].session is None:
            await anyio.sleep(0.01)
    return call_id


async def test_a_call_still_up_when_the_drain_ends_is_hung_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No other replica can take it (the default registry): the drain closes its session,
    and the call is hung up, never left up without its tools; the log says so."""
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app = ops_app(emu)
        async with serve_asgi(app) as url:
            call_id = await call_up(emu, app, url)
            await app.drain(0)  # returns once the call was hung up: no wait after it
            record = app.calls[call_id]
            assert (record.state, record.reason) == ("ended", HUNG_UP_BY_DRAIN)
            assert record.session.closed_reason == "closed by the client"
            assert emu.desk.calls[call_id].status == "ended"  # hung up through the API
    said = [r.getMessage() for r in caplog.records if r.name == "rtagents.calls"]
    assert "drained: 0 call(s) handed over, 1 hung up, 0 other" in said


async def test_a_call_the_app_hangs_up_as_the_drain_ends_is_hung_up_once() -> None:
    """The app's hang-up is on its way when the drain closes the session: the call ended by
    the app's doing, and is not hung up a second time."""
    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app = ops_app(emu)
        hangups: list[str] = []
        hangup = app.api.hangup

        async def counted(call_id: str) -> None:  # the real request, counted
            hangups.append(call_id)
            await hangup(call_id)

        app.api.hangup = counted  # type: ignore[method-assign]
        async with serve_asgi(app) as url:
            call_id = await call_up(emu, app, url)
            async with anyio.create_task_group() as tg:
                tg.start_soon(app.hangup, call_id)
                await anyio.lowlevel.checkpoint()  # its request is out
                await app.drain(0)
            record = app.calls[call_id]
            assert (record.state, record.reason) == ("ended", "hung up")
            assert hangups == [call_id]
            assert emu.desk.calls[call_id].status == "ended"


APP = """
import os

import anyio
import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import CallFunction


@rtagents.tool
async def slow_lookup(key: str) -> str:
    "Looks something up, slowly."
    await anyio.sleep(1.5)
    return f"found {key}"


app = CallServer(
    agent=rtagents.Agent(name="ops", tools=[slow_lookup]),
    webhook_secret=os.environ["SECRET"],
    api_key="sk-x",
    base_url=os.environ["EMULATOR"],
    drain_timeout=0.5,  # calls get half a second; then their sessions are drained
)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_sigterm_to_rtagents_serve_drains_before_exiting(tmp_path: Path) -> None:
    model = ScriptedModel([CallFunction("slow_lookup", {"key": "k"}), "Done."], then="ok")
    (tmp_path / "ops_app.py").write_text(APP)
    port = free_port()
    async with Emulator(model=model) as emu:
        env = {**os.environ, "SECRET": SECRET, "EMULATOR": emu.http_url}
        command = [sys.executable, "-m", "rtagents", "serve", "ops_app.py:app", "--port", str(port)]
        server = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
        try:
            url = f"http://127.0.0.1:{port}"
            async with httpx2.AsyncClient(base_url=url) as http:
                with anyio.fail_after(20):
                    while True:
                        try:
                            if (await http.get("/readyz")).status_code == 200:
                                break
                        except httpx2.ConnectError:
                            assert server.poll() is None
                        await anyio.sleep(0.1)
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Look it up."])
                with anyio.fail_after(10):
                    while not emu.desk.calls[call_id].tool_calls:
                        await anyio.sleep(0.01)
                started = time.monotonic()
                server.send_signal(signal.SIGTERM)
                with anyio.fail_after(20):
                    while server.poll() is None:
                        await anyio.sleep(0.05)
            took = time.monotonic() - started
        finally:
            if server.poll() is None:
                server.kill()
            stderr = server.stderr.read() if server.stderr else ""
        # uvicorn exits by the signal it stopped for, once the app has shut down.
        assert server.returncode in (0, -signal.SIGTERM), stderr
        assert "Application shutdown complete" in stderr
        assert outputs(emu, call_id) == ["found k"], stderr
        assert took >= 1.0  # it waited for the tool
        # Then the call, still up, was hung up: one process, so no replica could take it.
        assert "drained: 0 call(s) handed over, 1 hung up" in stderr
        assert emu.desk.calls[call_id].status == "ended"


async def test_a_long_running_server_keeps_only_the_latest_ended_calls() -> None:
    model = ScriptedModel([], then="Bye.")
    async with Emulator(model=model) as emu:
        app = CallServer(
            agent=rtagents.Agent(),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            keep_ended=2,
        )
        async with serve_asgi(app) as url:
            placed = []
            for _ in range(5):
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
                placed.append(call_id)
                with anyio.fail_after(10):
                    while call_id not in app.calls or app.calls[call_id].session is None:
                        await anyio.sleep(0.01)
                await app.hangup(call_id)
                with anyio.fail_after(10):
                    while call_id in app.calls and app.calls[call_id].state == "active":
                        await anyio.sleep(0.01)
            assert list(app.calls) == placed[-2:]
            assert all(record.state == "ended" for record in app.calls.values())

"""``rtagents serve MODULE:APP`` runs a CallServer under uvicorn from the shell, and
``rtagents call`` places a simulated phone call on an emulator and reports how it went."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

APP = """
import rtagents
from rtagents.calls import CallServer

app = CallServer(agent=rtagents.Agent(name="a"), webhook_secret="whsec_c2VjcmV0", api_key="-")
"""
SECRET = "whsec_c2VjcmV0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(tmp_path: Path, app: str, *options: str) -> Iterator[str]:
    """``rtagents serve`` of the module ``app`` with ``options``; its base URL once it
    answers HTTP."""
    (tmp_path / "phone_app.py").write_text(app)
    port = free_port()
    command = [sys.executable, "-m", "rtagents", "serve", "phone_app.py:app", "--port", str(port)]
    server = subprocess.Popen([*command, *options], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx2.get(url)
                break
            except httpx2.ConnectError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_runs_a_call_server(tmp_path: Path) -> None:
    with serving(tmp_path, APP) as url:
        reply = httpx2.post(f"{url}/openai/webhook", content=b"{}")
        assert reply.status_code == 400  # unsigned: refused


# An ASGI app that says how many objects the collector has frozen, makes more on asking,
# and says how many of those are not frozen yet (the permanent generation's objects are
# not in gc.get_objects()).
HEAP_APP = """
import gc
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

kept = []

def frozen(request):
    return JSONResponse(gc.get_freeze_count())

def grow(request):
    kept.extend([i] for i in range(5000))  # 5,000 tracked objects that stay alive
    return JSONResponse(len(kept))

def unfrozen(request):
    scanned = {id(o) for o in gc.get_objects()}
    return JSONResponse(sum(id(o) in scanned for o in kept))

app = Starlette(routes=[Route(f"/{f.__name__}", f) for f in (frozen, grow, unfrozen)])
"""


def test_serve_freezes_what_the_imports_and_the_app_made_before_it_serves(
    tmp_path: Path,
) -> None:
    # The process is the app's: the heap it starts with is never scanned again (#36).
    with serving(tmp_path, HEAP_APP) as url:
        assert httpx2.get(f"{url}/frozen").json() > 10_000
        httpx2.get(f"{url}/grow")
        time.sleep(1.5)
        assert httpx2.get(f"{url}/unfrozen").json() == 5000  # no refreeze unless asked


def test_serve_refreezes_every_so_often_when_asked(tmp_path: Path) -> None:
    with serving(tmp_path, HEAP_APP, "--refreeze", "1") as url:
        httpx2.get(f"{url}/grow")
        deadline = time.monotonic() + 15
        while httpx2.get(f"{url}/unfrozen").json() > 0:
            assert time.monotonic() < deadline, "the objects made since were not frozen"
            time.sleep(0.2)


@pytest.mark.parametrize("value", ["0", "0.5", "-1", "soon", "inf", "nan"])
def test_serve_refuses_a_refreeze_that_is_not_a_time(tmp_path: Path, value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rtagents", "serve", "app.py:app", "--refreeze", value],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--refreeze: " in done.stderr, done.stderr
    assert "is not a" in done.stderr


def test_serve_says_what_is_wrong(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rtagents", "serve", "missing.py:app"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0 and "no file 'missing.py'" in done.stderr


def test_a_call_is_placed_from_the_shell_without_waiting() -> None:
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
                "--no-wait",
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


# -- rtagents call: the secret checked, the outcome awaited and printed --------------------------


@rtagents.tool
def lookup(key: str) -> str:
    """Looks a key up."""
    return f"found {key}"


async def call_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = await anyio.run_process(
        [sys.executable, "-m", "rtagents", "call", *args],
        check=False,
        env={**os.environ, **(env or {})},
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


@pytest.mark.anyio
async def test_a_call_waits_for_its_outcome_and_prints_it() -> None:
    model = ScriptedModel([CallFunction("lookup", {"key": "k7"}), "Key k7 is found."])
    async with Emulator(model=model) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="desk", tools=[lookup]),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
        )
        async with serve_asgi(app) as url:
            code, out, err = await call_cli(
                "--emulator", emu.http_url, "--webhook", f"{url}/openai/webhook",
                "--secret", SECRET, "--say", "Find k7, please.", "--timeout", "30",
            )  # fmt: skip
    assert code == 0, err
    call_id, *rest = out.splitlines()
    assert call_id.startswith("rtc_") and emu.desk.calls[call_id].status == "ended"
    text = "\n".join(rest)
    assert "status: ended" in text
    assert "caller: Find k7, please." in text and "agent: Key k7 is found." in text
    assert 'lookup({"key": "k7"}) -> found k7' in text
    assert text.index("caller:") < text.index("agent:")


@pytest.mark.anyio
async def test_a_call_whose_webhook_is_refused_says_so_at_once() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        other = "whsec_" + base64.b64encode(b"another key").decode()
        app = CallServer(agent=rtagents.Agent(), webhook_secret=other, api_key="-")
        async with serve_asgi(app) as url:
            with anyio.fail_after(20):
                code, out, err = await call_cli(
                    "--emulator", emu.http_url, "--webhook", f"{url}/openai/webhook",
                    "--secret", SECRET, "--say", "Hello?",
                )  # fmt: skip
    assert code == 1 and "Traceback" not in err
    assert "HTTP 400" in err and "--secret" in err  # the likely cause, named
    assert out.strip().startswith("rtc_")


@pytest.mark.anyio
async def test_a_call_that_is_never_answered_gives_up_after_its_timeout() -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        silent = Starlette(routes=[Route("/", lambda request: Response(), methods=["POST"])])
        async with serve_asgi(silent) as url:
            started = time.monotonic()
            code, out, err = await call_cli(
                "--emulator", emu.http_url, "--webhook", url, "--secret", SECRET,
                "--timeout", "1",
            )  # fmt: skip
    assert code == 1 and "still ringing after 1 s" in err, err
    assert time.monotonic() - started < 15


@pytest.mark.anyio
@pytest.mark.parametrize("secret", ["whsec_WRONG", "whsec_", "whsec_c2Vj*cmV0"])
async def test_a_secret_that_is_not_base64_is_refused_before_calling(secret: str) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        code, out, err = await call_cli(
            "--emulator", emu.http_url, "--webhook", "http://127.0.0.1:9/x", "--secret", secret
        )
        assert not emu.desk.calls  # nothing placed
    assert code == 2 and out == "" and "Traceback" not in err
    assert "whsec_" in err and "base64" in err
    if secret != "whsec_":
        assert secret not in err  # a secret is never printed back


@pytest.mark.anyio
async def test_the_emulator_answers_400_to_a_secret_that_is_not_base64() -> None:
    async with Emulator(model=ScriptedModel([])) as emu, httpx2.AsyncClient() as http:
        body = {"webhook_url": "http://127.0.0.1:9/x", "webhook_secret": "whsec_WRONG"}
        reply = await http.post(f"{emu.http_url}/emulator/calls", json=body)
        assert reply.status_code == 400
        assert reply.json()["error"]["param"] == "webhook_secret"
        assert "WRONG" not in reply.text and not emu.desk.calls
        with pytest.raises(ValueError, match="base64"):
            emu.place_call("http://127.0.0.1:9/x", "whsec_WRONG")


@pytest.mark.anyio
async def test_without_a_secret_the_call_says_where_to_give_one() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_WEBHOOK_SECRET"}
    done = await anyio.run_process(
        [sys.executable, "-m", "rtagents", "call", "--webhook", "http://127.0.0.1:9/x"],
        check=False,
        env=env,
    )
    err = done.stderr.decode()
    assert done.returncode == 2 and "--secret" in err and "OPENAI_WEBHOOK_SECRET" in err
    usage = (await anyio.run_process([sys.executable, "-m", "rtagents", "call", "--help"])).stdout
    assert "[--secret SECRET]" in usage.decode()


# -- rtagents serve on SIGTERM: it says that it drains, and a second signal exits at once -----

HELD_OPEN = """
import os

import rtagents
from rtagents.calls import CallServer

app = CallServer(
    agent=rtagents.Agent(name="desk"),
    webhook_secret=os.environ["SECRET"],
    api_key="sk-x",
    base_url=os.environ["EMULATOR"],
    drain_timeout=45,  # longer than the test: only the second signal can end it in time
)
"""


async def read_until(stream: Any, text: str, seen: list[str]) -> None:
    while text not in "".join(seen):
        seen.append((await stream.receive()).decode())


@pytest.mark.anyio
async def test_sigterm_says_it_drains_and_a_second_one_exits_at_once(tmp_path: Path) -> None:
    (tmp_path / "desk_app.py").write_text(HELD_OPEN)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        env = {**os.environ, "SECRET": SECRET, "EMULATOR": emu.http_url}
        command = [
            sys.executable,
            "-m",
            "rtagents",
            "serve",
            "desk_app.py:app",
            "--port",
            str(port),
        ]
        async with await anyio.open_process(command, cwd=tmp_path, env=env) as server:
            try:
                seen: list[str] = []
                with anyio.fail_after(20):
                    await read_until(server.stderr, "Uvicorn running", seen)
                    call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Hi."])
                    while not emu.desk.calls[call_id].transcript[1:]:  # answered: the call is up
                        await anyio.sleep(0.05)
                server.send_signal(signal.SIGTERM)
                with anyio.fail_after(10):
                    await read_until(server.stderr, "waiting up to", seen)
                log = "".join(seen)
                assert "SIGTERM: draining" in log and "again" in log  # how to stop waiting
                assert "draining: 1 call(s) open, waiting up to 45 s" in log
                assert server.returncode is None  # it drains: the call is still open
                started = time.monotonic()
                server.send_signal(signal.SIGTERM)
                with anyio.fail_after(5):
                    await server.wait()
                assert time.monotonic() - started < 2
                assert server.returncode == -signal.SIGTERM
            finally:
                if server.returncode is None:
                    server.kill()  # the test failed: it must not drain for 45 s

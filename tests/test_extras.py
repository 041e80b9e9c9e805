"""Each optional extra, not installed: one line saying what to install, exit status 2 and no
traceback from the commands; the same ``ExtraMissing`` from the library."""

from __future__ import annotations

import os
import sys
import wave
from pathlib import Path

import pytest
import tomllib

from rtagents.errors import ExtraMissing
from tests.test_cli import EXAMPLES, rtagents

ROOT = Path(__file__).resolve().parents[1]
SECRET = "whsec_c2VjcmV0"

CALL_SERVER = f"""
import rtagents
from rtagents.calls import CallServer

app = CallServer(agent=rtagents.Agent(), webhook_secret={SECRET!r}, api_key="-")
"""

REDIS_SERVER = f"""
import rtagents
from rtagents.calls import CallServer, RedisRegistry

app = CallServer(
    agent=rtagents.Agent(),
    webhook_secret={SECRET!r},
    api_key="-",
    registry=RedisRegistry("redis://127.0.0.1:1"),
)
"""


def without(tmp_path: Path, *modules: str) -> dict[str, str]:
    """An environment in which ``modules`` cannot be imported, as if not installed (a
    ``sitecustomize`` blocks them in ``sys.modules``; a submodule can be blocked alone)."""
    site = tmp_path / "not_installed"
    site.mkdir()
    lines = [f"sys.modules[{name!r}] = None" for name in modules]
    (site / "sitecustomize.py").write_text("import sys\n" + "\n".join(lines) + "\n")
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def wav_16k(path: Path) -> str:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(bytes(3200))
    return str(path)


def calls_app(tmp_path: Path) -> tuple[list[str], Path]:
    (tmp_path / "phone_app.py").write_text(CALL_SERVER)
    return ["serve", "phone_app.py:app", "--port", "0"], tmp_path


def redis_app(tmp_path: Path) -> tuple[list[str], Path]:
    (tmp_path / "phone_app.py").write_text(REDIS_SERVER)
    return ["serve", "phone_app.py:app", "--port", "0"], tmp_path


def tls_emulator(tmp_path: Path) -> tuple[list[str], Path]:
    return ["emulator", "--tls", "--port", "0"], tmp_path


def webrtc_emulator(tmp_path: Path) -> tuple[list[str], Path]:
    return ["emulator", "--webrtc", "--port", "0"], tmp_path


def audio_in(tmp_path: Path) -> tuple[list[str], Path]:
    return ["run", "tools_basics:agent", "--in", wav_16k(tmp_path / "q.wav")], EXAMPLES


def voice_run(tmp_path: Path) -> tuple[list[str], Path]:
    return ["run", "tools_basics:agent", "--voice"], EXAMPLES


def voice_demo(tmp_path: Path) -> tuple[list[str], Path]:
    return ["demo", "--voice"], tmp_path


# (extra, the modules it brings, a command that needs it)
CASES = [
    ("calls", ["standardwebhooks"], calls_app),
    ("redis", ["redis"], redis_app),
    # mcp needs cryptography too (through pyjwt[crypto]): only what the certificate uses.
    ("tls", ["cryptography.x509"], tls_emulator),
    ("webrtc", ["aiortc"], webrtc_emulator),
    ("audio", ["numpy", "soxr"], audio_in),
    ("voice", ["sounddevice"], voice_run),
    ("voice", ["sounddevice"], voice_demo),
]


def test_every_user_facing_extra_has_a_case() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"]) - {"dev"}
    assert {extra for extra, _, _ in CASES} == extras


@pytest.mark.parametrize(("extra", "modules", "command"), CASES, ids=[c[2].__name__ for c in CASES])
def test_a_missing_extra_is_one_line_saying_what_to_install(
    tmp_path: Path, extra: str, modules: list[str], command: object
) -> None:
    argv, cwd = command(tmp_path)  # type: ignore[operator]
    done = rtagents(*argv, cwd=cwd, env=without(tmp_path, *modules))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"rtagents {argv[0]}: ")
    assert lines[0].endswith(f"pip install 'rtagents[{extra}]'")
    assert any(f"needs {module.partition('.')[0]}:" in lines[0] for module in modules)


def hidden(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in list(sys.modules):
        if name.partition(".")[0] in modules:
            monkeypatch.delitem(sys.modules, name)
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)  # as if it were not installed


def test_a_call_server_without_the_calls_extra_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from rtagents.calls import CallServer

    hidden(monkeypatch, "standardwebhooks")
    with pytest.raises(ExtraMissing, match=r"^CallServer needs standardwebhooks: ") as caught:
        CallServer(agent=None, route=lambda call: None, webhook_secret=SECRET, api_key="-")  # type: ignore[arg-type,return-value]
    assert caught.value.extra == "calls" and isinstance(caught.value, ImportError)


def test_a_redis_registry_without_the_redis_extra_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rtagents.calls import RedisRegistry

    hidden(monkeypatch, "redis")
    with pytest.raises(ExtraMissing, match=r"pip install 'rtagents\[redis\]'$"):
        RedisRegistry("redis://127.0.0.1:1")


def test_audio_extra_missing_is_the_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from rtagents.audio import AudioExtraMissing, resample

    assert issubclass(AudioExtraMissing, ExtraMissing)
    hidden(monkeypatch, "soxr")
    with pytest.raises(AudioExtraMissing, match=r"needs soxr: pip install 'rtagents\[audio\]'$"):
        resample(bytes(320), 16_000, 24_000)


@pytest.mark.anyio
async def test_a_webrtc_call_without_the_webrtc_extra_is_the_error_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx2

    from rtagents.emulator import Emulator

    hidden(monkeypatch, "aiortc")
    async with Emulator() as emu:
        async with httpx2.AsyncClient() as http:
            reply = await http.post(
                f"{emu.http_url}/realtime/calls",
                content="v=0\r\n",
                headers={"Authorization": "Bearer sk-x", "Content-Type": "application/sdp"},
            )
    assert reply.status_code == 501
    assert reply.json()["error"]["message"].endswith("pip install 'rtagents[webrtc]'")

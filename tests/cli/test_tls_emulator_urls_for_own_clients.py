"""``rtagents emulator --tls`` prints its websocket URL "for rtagents.connect(url=...), run
--url" and its REST base URL "for CallServer(base_url=...), call --emulator", and the
certificate "to trust". But none of rtagents' own clients has a way to trust it: ``connect``,
``rtagents run`` and ``rtagents call`` take no CA file (there is no ``ssl`` anywhere in the
client code), and the docs only say "``ssl.create_default_context(cafile=...)`` in Python",
which nothing of rtagents accepts. Following the printout fails with CERTIFICATE_VERIFY_FAILED
(only the undocumented ``SSL_CERT_FILE`` works), and ``rtagents call`` then asks "is
`rtagents emulator` running there?" of an emulator that is running.

The test follows what the emulator prints: should it print an ``SSL_CERT_FILE=...`` (or any
``NAME=value``) to set, that is set; nothing else is assumed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import env, rtagents

pytest.importorskip("cryptography")  # rtagents[tls]

AGENT = "import rtagents\nagent = rtagents.Agent(name='a', output_modalities=['text'])\n"


@pytest.fixture
def tls_emulator() -> Iterator[tuple[str, str, dict[str, str], str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--port", "0", "--tls"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        assert proc.stdout is not None
        printed: list[str] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any("TLS certificate" in x for x in printed):
            printed.append(proc.stdout.readline())
        text = "".join(printed)
        ws = re.search(r"websocket URL: (\S+)", text)
        http = re.search(r"REST base URL: (\S+)", text)
        assert ws and http, text
        hints = dict(re.findall(r"\b([A-Z][A-Z0-9_]+)=(\S+)", text))  # what it says to set
        yield ws.group(1), http.group(1), hints, text
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_run_reaches_the_tls_emulator_as_its_printout_says(
    tls_emulator: tuple[str, str, dict[str, str], str], tmp_path: Path
) -> None:
    ws, _http, hints, printed = tls_emulator
    (tmp_path / "my_agent.py").write_text(AGENT)
    result = rtagents(
        "run", "my_agent.py:agent", "--url", ws, "--say", "hi", cwd=tmp_path, timeout=30, **hints
    )
    assert result.returncode == 0, f"{printed}\n{result.stderr[-500:]}"
    assert "You said: hi" in result.stdout


def test_call_reaches_the_tls_emulator_as_its_printout_says(
    tls_emulator: tuple[str, str, dict[str, str], str],
) -> None:
    _ws, http, hints, printed = tls_emulator
    result = rtagents(
        "call",
        "--webhook",
        "http://127.0.0.1:9/openai/webhook",
        "--emulator",
        http,
        "--no-wait",
        timeout=30,
        OPENAI_WEBHOOK_SECRET="whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
        **hints,
    )
    assert "is `rtagents emulator` running there?" not in result.stderr, result.stderr
    assert result.returncode == 0, f"{printed}\n{result.stderr[-500:]}"
    assert result.stdout.startswith("rtc_")

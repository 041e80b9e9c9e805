"""``rtagents emulator --tls`` (``Emulator(tls=True)``) writes a self-signed certificate and
its private key (unencrypted) to a new temporary folder; the folder outlives the emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rtagents.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.anyio
async def test_the_self_signed_key_is_removed_when_the_emulator_stops() -> None:
    emu = Emulator(tls=True)
    async with emu:
        assert emu.certificate is not None
        folder = emu.certificate.parent
        assert (folder / "key.pem").exists()
    assert not folder.exists(), f"left behind: {sorted(p.name for p in folder.iterdir())}"


def test_ctrl_c_on_the_command_removes_its_key() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--tls", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        cert = None
        for line in proc.stdout:  # the banner ends with the certificate's line
            if "TLS certificate to trust:" in line:
                cert = Path(line.split(":", 1)[1].strip())
                break
        assert cert is not None and cert.exists()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not cert.parent.exists(), f"left behind: {sorted(p.name for p in cert.parent.iterdir())}"

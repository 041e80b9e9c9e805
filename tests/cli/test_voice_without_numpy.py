"""``rtagents run --voice`` with sounddevice (and PortAudio) installed but not numpy/soxr
(``pip install rtagents sounddevice``, or a partial environment): the device runs at its own
rate (48 kHz here), so the microphone needs resampling, and the ExtraMissing raised for it
inside the session's task group comes out as an ExceptionGroup traceback, exit status 1 —
not the one line, exit status 2, that docs/cli.md promises "from every command"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# A stand-in for sounddevice: a 48 kHz device (as most are) that records silence.
FAKE_SOUNDDEVICE = """
import threading, time

class PortAudioError(Exception):
    pass

def query_devices(device=None, kind=None):
    return {"name": "fake", "default_samplerate": 48000.0}

class RawStream:
    def __init__(self, samplerate, blocksize, device, channels, dtype, callback):
        self.cb, self.block, self.latency, self.running = callback, blocksize, (0.02, 0.02), False
    def start(self):
        self.running = True
        def loop():
            while self.running:
                self.cb(bytes(self.block * 2), bytearray(self.block * 2), self.block, None, None)
                time.sleep(self.block / 48000)
        threading.Thread(target=loop, daemon=True).start()
    def stop(self):
        self.running = False
    def close(self):
        pass
"""


def test_voice_without_numpy_is_one_line_naming_the_extra(tmp_path: Path) -> None:
    (tmp_path / "sounddevice.py").write_text(FAKE_SOUNDDEVICE)
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nsys.modules['numpy'] = None\nsys.modules['soxr'] = None\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "run", "tools_basics:agent", "--voice"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=EXAMPLES,
        env=env,
    )
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:  # (with numpy it listens until Ctrl-C)
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"still running after 15 s; stdout: {out!r}") from None
    assert "Traceback" not in err, err[-600:]
    assert proc.returncode == 2
    assert err.strip().endswith("pip install 'rtagents[voice]'") or err.strip().endswith(
        "pip install 'rtagents[audio]'"
    )

"""``rtagents call`` with an emulator key that ends in a line break (a key file saved on
Windows: ``RTAGENTS_EMULATOR_API_KEY="$(cat key.txt)"`` keeps its ``\\r``).

Rule broken: secrets never reach errors or logs, and bad input gets a clear error. The
CLI puts the key in an ``Authorization`` header as given; the HTTP client refuses the header
with ``LocalProtocolError: Illegal header value b'Bearer <the key>\\r'``, which is not the
``ConnectError`` the command catches: the process dies with a traceback that prints the key.
The calls server strips and checks its key for this reason (``credential()``); the CLI
should too (strip it, or say the key holds a control character without repeating it).
"""

from __future__ import annotations

import os
import sys

import anyio
import pytest

from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
KEY = "emu-key-0123456789abcdef"
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def test_a_key_with_a_line_break_is_never_printed() -> None:
    async with Emulator(model=ScriptedModel([], then="hi"), api_key=KEY) as emu:
        command = [
            sys.executable, "-m", "rtagents", "call", "--webhook", "http://127.0.0.1:9/hook",
            "--secret", SECRET, "--emulator", emu.http_url, "--no-wait",
        ]  # fmt: skip
        clean = {k: v for k, v in os.environ.items() if not k.endswith("API_KEY")}
        env = {**clean, "RTAGENTS_EMULATOR_API_KEY": KEY + "\r"}
        with anyio.fail_after(30):
            done = await anyio.run_process(command, env=env, check=False)
    out = done.stdout.decode() + done.stderr.decode()
    assert KEY not in out, out
    assert "Traceback" not in out, out

"""`Emulator().url` read before the emulator is started.

The docs always write `async with Emulator() as emu: ... emu.url`. A newcomer who makes the
emulator without entering it (or reads the URL before `async with`) gets
`ws://127.0.0.1:0/v1/realtime`: port 0 is "any port" for listening, never a URL to connect
to. `connect` then fails with "cannot connect to ws://127.0.0.1:0/v1/realtime: ...
('127.0.0.1', 80)", which names port 80 and says nothing of the emulator not running. A
property of a server that is not listening should say so (as the port of an unstarted
server does in most libraries: a RuntimeError).
"""

from __future__ import annotations

import pytest

from rtagents.emulator import Emulator


def test_url_of_an_emulator_not_started_says_so() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError, match=r"(?i)start|async with"):
        url = emu.url
        pytest.fail(f"an emulator that is not listening gave a URL: {url}")


@pytest.mark.anyio
async def test_url_is_the_listening_port_once_started() -> None:
    async with Emulator() as emu:  # the same property, once it listens: a real port
        assert ":0/" not in emu.url

"""A proxy the environment names (``HTTP_PROXY``, set for the rest of the world on many a
corporate machine) is not in the way of this machine's own servers: ``connect`` reaches an
emulator on loopback directly (through the proxy, it would be another machine's loopback, or
none), while another host still goes through it."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents._hosts import loopback
from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


@pytest.mark.usefixtures("dead_proxy")
async def test_the_emulator_on_loopback_is_reached_directly() -> None:
    async with Emulator() as emu:
        with anyio.fail_after(10):
            async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url, reconnect=None):
                pass


@pytest.mark.usefixtures("dead_proxy")
async def test_another_host_still_goes_through_the_proxy() -> None:
    with anyio.fail_after(10), pytest.raises(rtagents.ConnectError, match=r"127\.0\.0\.1', 9"):
        async with rtagents.connect(
            rtagents.Agent(name="a"), url="ws://example.invalid/v1/realtime", reconnect=None
        ):
            pass


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("::1", True),
        ("[::1]", True),
        ("app.localhost", True),
        ("example.com", False),
        ("10.0.0.1", False),
        ("", False),
    ],
)
def test_what_is_loopback(host: str, local: bool) -> None:
    assert loopback(host) is local

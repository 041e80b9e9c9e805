"""An emulator stopped and started again listens on the same port (``start`` keeps the port
it bound first): a client reconnects to the same URL, as to a server that restarted. With
``tls=True`` it serves the same self-signed certificate after the restart, which a client
trusts as it was (an ``ssl.SSLContext`` loaded from it, ``NODE_EXTRA_CA_CERTS`` naming its
path): ``stop`` keeps the key; the end of an ``async with`` block, or of the process,
removes it."""

from __future__ import annotations

import ssl

import httpx2
import pytest

from rtagents.emulator import Emulator

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _reached(url: str, trust: ssl.SSLContext) -> str:
    async with httpx2.AsyncClient(verify=trust, timeout=10) as http:
        try:
            reply = await http.get(f"{url}/emulator/calls/rtc_none")
        except httpx2.ConnectError as exc:
            return f"refused: {exc}"
    return f"HTTP {reply.status_code}"


async def test_a_restarted_tls_emulator_is_trusted_as_before() -> None:
    emu = Emulator(tls=True)
    await emu.start()
    try:
        assert emu.certificate is not None
        first = emu.certificate
        trust = ssl.create_default_context(cafile=str(first))
        url = emu.http_url
        assert (await _reached(url, trust)).startswith("HTTP")
        await emu.stop()
        await emu.start()  # the same port: a server that came back
        assert emu.http_url == url
        again = await _reached(url, trust)
    finally:
        await emu.stop()
    assert again.startswith("HTTP"), (
        f"after a restart the client that trusted {first} is {again} "
        f"(the emulator now serves {emu.certificate})"
    )

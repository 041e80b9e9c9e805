"""The call ends from the server's side (the app hangs it up: ``end_call``, a supervisor,
the time limit): the example page says "ended" and lets go of the call as its own Hang up
does, the microphone stopped (the browser's recording indicator off) and the peer connection
closed. Before, it only said "ended": the microphone went on capturing after the call."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import anyio
import pytest

from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi
from tests.browser.chromium import chromium, need_chromium, run, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("chromium"), pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]


async def test_a_call_the_server_ends_stops_the_pages_microphone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need_chromium()
    pytest.importorskip("aiortc")
    async with Emulator(realtime=True) as emu:
        monkeypatch.setenv("OPENAI_BASE_URL", emu.http_url)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        spec = importlib.util.spec_from_file_location(
            "browser_app_rev", ROOT / "examples" / "browser_app.py"
        )
        assert spec is not None and spec.loader is not None
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)
        async with serve_asgi(example.app) as url:
            with chromium() as driver:
                await anyio.to_thread.run_sync(driver.get, url)
                await run(driver, "document.getElementById('talk').click()")
                call_id = await wait_for(
                    driver,
                    "return document.body.dataset.state === 'connected' && document.body.dataset.callId",
                    "a connected call",
                )
                # The page's own track and connection, held here to look at after its end.
                held = "window.heldTrack = mic.getTracks()[0]; window.heldPc = pc;"
                await run(driver, held + " return heldTrack.readyState")
                assert await run(driver, "return heldTrack.readyState") == "live"
                await example.app.hangup(call_id)  # the app ends the call
                await wait_for(driver, "return document.body.dataset.state === 'ended'", "the end")
                await anyio.sleep(1.0)
                mic = await run(driver, "return heldTrack.readyState")
                peer = await run(driver, "return heldPc.signalingState")
    assert (mic, peer) == ("ended", "closed"), (
        f"after the call ended the page's microphone is {mic!r}, its peer connection {peer!r}"
    )

"""The browser example, end to end in a real browser and offline: headless Chromium opens
the page that examples/browser_app.py serves, with a fake microphone saying a sentence
(espeak-ng). The page mints a client secret from the app, makes a WebRTC call to the
emulator, and the app runs the agent's tool on the call's sideband; the page shows the
answer's transcript and measures the answer's audio with WebAudio.

The emulator has no speech recognition: the test tells it what the words are. On failure the
test saves a screenshot of the page beside the test's files. With ``RTAGENTS_SCREENSHOTS=1``
(or where they are missing) it also makes the screenshots docs/browser.md shows.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi
from tests.browser.chromium import chromium, need_chromium, run, wait_for
from tests.speech import espeak, sox

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("chromium"), pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
SAID = "What is the weather in Paris?"
SHOTS = ROOT / "docs" / "img"


def _example(monkeypatch: pytest.MonkeyPatch, base_url: str) -> ModuleType:
    """examples/browser_app.py as a user runs it offline: OPENAI_BASE_URL is the emulator's."""
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    spec = importlib.util.spec_from_file_location(
        "browser_app", ROOT / "examples" / "browser_app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _microphone(tmp_path: Path) -> Path:
    """The sentence as a microphone says it: 48 kHz mono, after 2.5 s of silence (the call is
    set up meanwhile) and with 1.5 s after it (the end of the turn)."""
    said = espeak(SAID, tmp_path / "said.wav")
    return sox(
        said,
        tmp_path / "mic.wav",
        "-r",
        "48000",
        "-c",
        "1",
        "-b",
        "16",
        effects=("pad", "2.5", "1.5"),
    )


async def _shot(driver: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    await anyio.to_thread.run_sync(lambda: driver.save_screenshot(str(path)))


def _docs_shot(name: str) -> Path | None:
    path = SHOTS / name
    return path if os.environ.get("RTAGENTS_SCREENSHOTS") or not path.exists() else None


@pytest.fixture
async def served(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Emulator, str]]:
    need_chromium()
    pytest.importorskip("aiortc", reason="the emulator's WebRTC needs rtagents[webrtc]")
    async with Emulator(transcribe=lambda pcm, ms: SAID, realtime=True) as emu:
        example = _example(monkeypatch, emu.http_url)
        async with serve_asgi(example.app) as url:
            yield emu, url


async def test_the_page_talks_to_the_agent_over_webrtc(
    served: tuple[Emulator, str], tmp_path: Path
) -> None:
    emu, url = served
    with chromium(_microphone(tmp_path)) as driver:
        try:
            await anyio.to_thread.run_sync(driver.get, url)
            if (shot := _docs_shot("browser-idle.png")) is not None:
                await _shot(driver, shot)
            await run(driver, "document.getElementById('talk').click()")
            call_id = await wait_for(
                driver,
                "return document.body.dataset.state === 'connected' && document.body.dataset.callId",
                "a connected call",
            )
            assert call_id.startswith("rtc_")
            # The agent's answer comes from the tool the app ran on the call's sideband.
            await wait_for(
                driver,
                "return document.getElementById('log').textContent.includes('sunny in Paris')",
                "the agent's answer from get_weather",
            )
            # The answer's audio, as WebAudio measured it in the page.
            await wait_for(
                driver,
                "return parseFloat(document.getElementById('peak').textContent) > 0.02",
                "the agent's audio (RMS above 0.02)",
            )
            await wait_for(
                driver,
                f"return document.getElementById('log').textContent.includes('you: {SAID}')",
                "the user's words, as the emulator heard them",
            )
            if (shot := _docs_shot("browser-answered.png")) is not None:
                await anyio.sleep(0.3)  # the meter shows the voice, not its first frame
                await _shot(driver, shot)
            # The page hangs up: the call ends at the emulator, and the app's sideband with it.
            await run(driver, "document.getElementById('hangup').click()")
            await wait_for(driver, "return document.body.dataset.state === 'ended'", "the end")
        except BaseException:
            await _shot(driver, tmp_path / "failure.png")
            print(f"screenshot of the page: {tmp_path / 'failure.png'}")
            raise
    # The tool ran in the app (on the sideband), not in the page.
    sideband = [c for c in emu.connections if "get_weather" in str(list(c.received))]
    assert sideband, "no connection of the emulator received get_weather's output"


async def test_the_page_says_in_words_why_it_could_not_connect(
    served: tuple[Emulator, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, url = served
    await emu.stop()  # the API is gone: the SDP exchange cannot be made
    with chromium() as driver:
        try:
            await anyio.to_thread.run_sync(driver.get, url)
            await run(driver, "document.getElementById('talk').click()")
            await wait_for(driver, "return document.body.dataset.state === 'error'", "an error")
            status = await run(driver, "return document.getElementById('status').textContent")
        except BaseException:
            await _shot(driver, tmp_path / "failure.png")
            print(f"screenshot of the page: {tmp_path / 'failure.png'}")
            raise
    assert "failed" in status and "TypeError" not in status, status

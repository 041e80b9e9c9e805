"""A time limit on a real browser's call: the example page in headless Chromium calls the
emulator over WebRTC, and ``CallServer(max_call_seconds=...)`` has the agent say the notice
on the call, then hangs it up; the page hears the notice and sees the call end."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import rtagents
from rtagents.calls import CallerRequest, CallServer
from rtagents.emulator import Emulator, ModelContext, Say
from rtagents.testing import serve_asgi
from tests.browser.chromium import chromium, need_chromium, run, wait_for
from tests.speech import need

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("chromium"), pytest.mark.timeout(120)]

PAGE = Path(__file__).resolve().parents[2] / "examples" / "browser"
NOTICE = "We are nearly out of time, so this call ends in a moment."


class Obedient:
    """A model that says what its instructions tell it to say, and else hello."""

    def respond(self, ctx: ModelContext) -> list[Say]:
        return [Say(NOTICE if NOTICE in ctx.instructions else "Hello.")]


def _silence(path: Path) -> Path:
    """A quiet microphone (Chromium's fake one beeps, which a VAD takes for speech)."""
    need("sox")
    subprocess.run(
        ["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(path), "trim", "0", "1"], check=True
    )
    return path


def anyone(request: CallerRequest) -> bool:
    return True


async def test_a_browser_call_hears_the_notice_then_is_hung_up_at_the_limit(
    tmp_path: Path,
) -> None:
    need_chromium()
    pytest.importorskip("aiortc", reason="the emulator's WebRTC needs rtagents[webrtc]")
    async with Emulator(model=Obedient(), realtime=True) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="limited"),
            webhook_secret="whsec_c2VjcmV0",
            api_key="-",
            base_url=emu.http_url,
            routes=[Mount("/", app=StaticFiles(directory=PAGE, html=True))],
            authorize=anyone,
            max_call_seconds=7.0,
            warn_before_s=5.0,  # the notice at 2 s: it takes about 3.5 s to say
            limit_notice=NOTICE,
        )
        async with serve_asgi(app) as url:
            with chromium(_silence(tmp_path / "quiet.wav")) as driver:
                page: Any = driver
                try:
                    await anyio.to_thread.run_sync(page.get, url)
                    await run(page, "document.getElementById('talk').click()")
                    call_id = await wait_for(
                        page, "return document.body.dataset.callId", "a call id"
                    )
                    await wait_for(
                        page,
                        f"return document.getElementById('log').textContent.includes({NOTICE!r})",
                        "the notice, said on the call",
                    )
                    await wait_for(
                        page, "return document.body.dataset.state === 'ended'", "the call's end"
                    )
                except BaseException:
                    await anyio.to_thread.run_sync(
                        lambda: page.save_screenshot(str(tmp_path / "failure.png"))
                    )
                    print(f"screenshot of the page: {tmp_path / 'failure.png'}")
                    raise
            record = app.calls[call_id]
            with anyio.fail_after(10):
                while record.state not in ("ended", "failed"):
                    await anyio.sleep(0.05)
    assert (record.source, record.state, record.reason) == ("browser", "ended", "time limit")
    assert emu.desk.calls[call_id].status == "ended"

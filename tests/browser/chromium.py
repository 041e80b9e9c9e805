"""A real browser for tests: Debian's Chromium, headless, driven through its chromedriver by
selenium, with a fake microphone that plays a WAV file (``make test`` installs both
packages when missing). Selenium's calls block, so the async tests run them in a thread."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def need_chromium() -> None:
    """Skip, saying why, where Chromium or its driver is not installed (``make test`` installs
    them from Debian; elsewhere they may not be had)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} missing: `make system-deps` installs Debian's chromium "
            "and chromium-driver"
        )
    pytest.importorskip("selenium", reason="selenium is a dev dependency: pip install -e '.[dev]'")


@contextmanager
def chromium(
    microphone: Path | None = None, *, width: int = 900, height: int = 700
) -> Iterator[Any]:
    """A headless Chromium whose microphone plays ``microphone`` (a WAV) once, then silence;
    the page may use it without asking, and play audio without a click."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
        # A CI container may have no interface but loopback, which Chromium's ICE skips
        # unless told (the emulator falls back to it: rtagents/emulator/webrtc/ice.py).
        "--allow-loopback-in-peer-connection",
    ):
        options.add_argument(flag)
    if microphone is not None:
        options.add_argument(f"--use-file-for-fake-audio-capture={microphone}%noloop")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


async def run(driver: Any, script: str, *args: Any) -> Any:
    """``driver.execute_script(script, *args)``, off the event loop."""
    return await anyio.to_thread.run_sync(lambda: driver.execute_script(script, *args))


async def wait_for(driver: Any, script: str, what: str, timeout: float = 30.0) -> Any:
    """Poll ``script`` (a JavaScript expression's ``return``) until it is truthy; fail saying
    ``what`` was awaited, with the page's state, after ``timeout`` seconds."""
    with anyio.move_on_after(timeout):
        while True:
            value = await run(driver, script)
            if value:
                return value
            await anyio.sleep(0.1)
    state = await run(driver, "return [document.body.dataset.state, document.body.innerText]")
    pytest.fail(f"the page never showed {what} in {timeout:.0f} s; the page says: {state}")

"""``rtagents.connect(...)`` used without ``async with``.

Every page writes ``async with rtagents.connect(agent, url=...) as session``. A newcomer who
writes ``session = rtagents.connect(...)`` (or ``await rtagents.connect(...)``, or a plain
``with``) gets Python's generic errors about a type they never met:
"'SessionLifetime' object has no attribute 'send_text'", "object SessionLifetime can't be
used in 'await' expression", "'SessionLifetime' object does not support the context manager
protocol". None says what to write instead. The library says so for the same mistake with
the emulator (``Emulator().url`` before ``async with``: "read its URLs in `async with`");
``connect``'s result should too.
"""

from __future__ import annotations

import re

import pytest

import rtagents
from rtagents.emulator import Emulator

AGENT = rtagents.Agent(name="a", output_modalities=["text"])
SAYS_ASYNC_WITH = re.compile(r"async with")


@pytest.mark.anyio
async def test_a_session_method_on_connect_without_async_with_says_to_enter_it() -> None:
    async with Emulator() as emu:
        session = rtagents.connect(AGENT, url=emu.url)
        with pytest.raises(Exception) as info:
            await session.send_text("What's the weather in Paris?")  # type: ignore[attr-defined]
        assert SAYS_ASYNC_WITH.search(str(info.value)), str(info.value)


@pytest.mark.anyio
async def test_awaiting_connect_says_to_use_async_with() -> None:
    async with Emulator() as emu:
        with pytest.raises(TypeError) as info:
            await rtagents.connect(AGENT, url=emu.url)  # type: ignore[misc]
        assert SAYS_ASYNC_WITH.search(str(info.value)), str(info.value)


@pytest.mark.anyio
async def test_a_plain_with_on_connect_says_to_use_async_with() -> None:
    async with Emulator() as emu:
        with pytest.raises(TypeError) as info:
            with rtagents.connect(AGENT, url=emu.url):  # type: ignore[attr-defined]
                pass
        assert SAYS_ASYNC_WITH.search(str(info.value)), str(info.value)

"""Rule: a server that answers the session's first request with an ``error`` makes
``connect`` fail at once with the server's words (docs/session.md: "A server that rejects
the agent's configuration raises SessionConfigError"). A newcomer who passes the Realtime
URL with ``api="live"`` (or the Live URL without it) gets an immediate ``error`` event
from the server ("Invalid value: 'session.start'. It is not a client event type." /
"Send session.start first ..."), yet ``connect`` ignores it, waits 30 s and then says
"the server did not answer the session configuration within 30 s": a hang, then a wrong
reason."""

from __future__ import annotations

import time

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("api", ["live", "realtime"])
async def test_wrong_url_for_the_api_fails_fast_with_the_servers_error(api: str) -> None:
    agent = rtagents.Agent(name="a", instructions="x")
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        url = emu.url if api == "live" else emu.live_url  # the other API's endpoint
        started = time.monotonic()
        with anyio.move_on_after(10) as scope:
            with pytest.raises(rtagents.ConnectError) as info:
                async with rtagents.connect(agent, url=url, api=api):  # type: ignore[arg-type]
                    pass
        if scope.cancelled_caught:
            pytest.fail(f"api={api!r} on the other API's URL: connect still waiting after 10 s")
        assert time.monotonic() - started < 10
        assert "did not answer" not in str(info.value), str(info.value)

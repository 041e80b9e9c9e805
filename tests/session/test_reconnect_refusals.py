"""A refusal that will be the same next time ends reconnecting at once: a refused key (401,
403) or a session or call that no longer exists (404: a sideband whose call ended). Other
refusals are retried with backoff."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents import Reconnect
from rtagents.session.reconnect import ReconnectFailed, Reconnector
from rtagents.session.transport import HandshakeRefused

pytestmark = pytest.mark.anyio


async def attempts_until_given_up(status: int) -> tuple[int, str]:
    tried: list[int] = []

    async def opener() -> Any:
        tried.append(status)
        raise HandshakeRefused(f"the server refused the connection: HTTP {status}", status=status)

    settings = Reconnect(attempts=4, backoff=0.001, max_backoff=0.002, jitter=0)
    reconnector = Reconnector(settings, opener, lambda event: None)
    with pytest.raises(ReconnectFailed) as failed:
        await reconnector.reopen("dropped", planned=False, responses_done=0)
    return len(tried), str(failed.value)


@pytest.mark.parametrize("status", [401, 403, 404])
async def test_a_refusal_that_will_not_change_is_not_retried(status: int) -> None:
    tried, reason = await attempts_until_given_up(status)
    assert tried == 1
    assert f"HTTP {status}" in reason


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_other_refusals_are_retried(status: int) -> None:
    tried, reason = await attempts_until_given_up(status)
    assert tried == 4
    assert "4 connections in a row" in reason


@pytest.mark.parametrize("where", [{"api": "live"}, {"call_id": "rtc_abc123"}], ids=repr)
async def test_a_handover_is_refused_where_a_reconnect_reattaches(where: dict[str, Any]) -> None:
    # Re-attaching gives the same session and time cap back: the handover would be due again
    # at once (it reconnected every quarter second until the cap).
    import rtagents

    with pytest.raises(rtagents.ConnectError, match="handover_before_s"):
        async with rtagents.connect(
            rtagents.Agent(name="a"),
            url="ws://127.0.0.1:9/v1/realtime",
            reconnect=Reconnect(handover_before_s=60),
            **where,
        ):
            pass

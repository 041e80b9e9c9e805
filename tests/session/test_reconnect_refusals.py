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

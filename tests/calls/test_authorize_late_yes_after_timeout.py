"""docs/browser.md, "Who may use these routes": it fails closed, and "no answer within
``authorize_timeout`` seconds ... refuse[s] it with 403". An async ``authorize`` whose lookup
is shielded from cancellation (a database session's shielded close, a cache fill that must
not be cut) answers ``True`` only after the timeout: refused, at the timeout. (Under
``anyio.fail_after`` the late yes was taken, with no ``TimeoutError``: the secret was minted.)"""

from __future__ import annotations

import time

import anyio
import pytest

from rtagents.calls import CallerRequest
from tests.calls.browser_call import browser_app

pytestmark = pytest.mark.anyio

TIMEOUT = 0.2


async def _late_yes(request: CallerRequest) -> bool:
    with anyio.CancelScope(shield=True):
        await anyio.sleep(TIMEOUT * 4)  # the lookup, which must not be cut half-way
    return True


async def test_a_yes_that_comes_after_the_timeout_mints_nothing() -> None:
    async with browser_app(authorize=_late_yes, authorize_timeout=TIMEOUT) as (emu, app, http):
        began = time.monotonic()
        minted = await http.post("/session")
        took = time.monotonic() - began
    assert minted.status_code == 403, (
        f"authorize answered after {took:.2f} s (timeout {TIMEOUT} s), yet the route let the "
        f"request in: HTTP {minted.status_code} {minted.text[:80]}"
    )

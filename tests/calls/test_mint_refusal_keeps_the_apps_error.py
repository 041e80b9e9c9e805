"""``POST /session`` refuses (400) an agent whose handoff function cannot make its target
(``session.page.page_refusal``: fail closed), saying why as a page may be told it: the
exception's type, never its message, which may quote what the app's code holds (a database
URL with its password, a token); the message goes to the server's log, masked (docs/
browser.md: the route's messages name "never a key"). Before, the 400's body quoted the
app's exception word for word. Real parts: a CallServer under uvicorn, the emulator."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import ScriptedModel
from tests.calls.browser_call import browser_app

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

PASSWORD = "s3cret-db-pass-8842"


def _billing() -> rtagents.Agent:
    raise ConnectionError(f"agent store down: postgresql://app:{PASSWORD}@db.internal/agents")


async def test_a_refused_mint_does_not_hand_the_page_the_apps_error_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk = rtagents.Agent(name="desk", handoffs=[_billing])
    async with browser_app(model=ScriptedModel([]), agent=desk) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 400, minted.text
    assert PASSWORD not in caplog.text  # the log line is masked...
    assert PASSWORD not in minted.text, f"the page was told: {minted.json()['error']}"
    assert "ConnectionError" in minted.json()["error"]  # what failed, by its kind

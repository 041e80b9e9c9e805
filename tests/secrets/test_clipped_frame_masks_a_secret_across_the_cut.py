"""A frame the session cannot read is quoted in a ``session.warning`` (its first 200
characters), secrets masked (failures.md, Secrets: "every ``session.warning`` (its message
and ``detail``, the start of a frame it could not read included)"), a secret the cut runs
through too: the frame is masked, then cut. Before, ``wire.clip`` cut first and the warning
masked after, when the part of the secret left was no longer a secret any mask knew: most of
it reached the app's event."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

TOKEN = "gw7Q2mZ9xR4tL8vN3pK6cJ1hF5dS0aYbEeUiOoWq"  # a gateway token (not ``sk-`` shaped)


@pytest.mark.anyio
async def test_warning_never_quotes_part_of_a_session_secret() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h")
        with anyio.fail_after(10):
            async with rtagents.connect(
                agent, url=server.url, headers={"X-Gateway-Token": TOKEN}
            ) as session:
                # A proxy's notice of a type this version does not know, echoing the token;
                # padded so that the 200-character clip ends inside the token.
                head = '{"type":"gateway.notice","note":"'
                pad = "x" * (200 - len(head) - 30)
                told = await server.told(session, head + pad + TOKEN + '"}')
    warnings = [e for e in told if e.type == "session.warning"]
    assert warnings, "no warning for the unknown frame"
    shown = json.dumps([[w.message, w.detail] for w in warnings])
    assert TOKEN[:20] not in shown, shown

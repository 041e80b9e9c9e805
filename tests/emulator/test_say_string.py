"""``POST /v1/emulator/calls`` with ``"say": "Hello there"`` (a string, not a list) makes
the simulated caller say each *character* as a separate user turn: ``_place`` iterates the
value (``[str(line) for line in body.get("say") or []]``).

Right behaviour: a ``say`` that is not a list of strings is a 400 naming ``say`` (or a
single string is one line), never eleven one-letter turns."""

from __future__ import annotations

import httpx2
import pytest

from rtagents.emulator import Emulator
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


async def test_a_say_that_is_a_string_is_not_split_into_characters() -> None:
    async with Emulator() as emu, httpx2.AsyncClient(base_url=emu.http_url) as http:
        body = {
            "webhook_url": "http://127.0.0.1:9/unreachable",
            "webhook_secret": SECRET,
            "say": "Hello there",
        }
        reply = await http.post("/emulator/calls", json=body)
        if reply.status_code == 400:
            return  # refused, naming the field: fine
        call_id = reply.json()["call_id"]
        lines = emu.desk.calls[call_id].say
    assert lines == ["Hello there"], f"the caller will say {len(lines)} lines: {lines}"

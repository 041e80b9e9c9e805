"""The emulator answers a request body it cannot read with 400, never a 500: a deeply nested
JSON body is a 400 on its JSON routes (``rest_json.json_body`` catches ``RecursionError``,
test_emulator_nested_json.py). The WebRTC offer's multipart ``session`` part (what the openai
SDK's ``client.realtime.calls.create(sdp=, session=)`` sends) is parsed by ``routes._offer``
with ``json.loads`` catching ``ValueError`` only: a deeply nested one is a 500 and a
traceback in the log."""

from __future__ import annotations

import logging

import httpx2
import pytest

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

DEEP = "[" * 100_000 + "]" * 100_000


async def test_a_deeply_nested_session_part_is_a_400(caplog: pytest.LogCaptureFixture) -> None:
    files = {
        "sdp": ("offer.sdp", b"v=0\r\n", "application/sdp"),
        "session": ("session.json", DEEP.encode(), "application/json"),
    }
    async with Emulator() as emu, httpx2.AsyncClient(timeout=20) as http:
        with caplog.at_level(logging.ERROR):
            reply = await http.post(
                f"{emu.http_url}/realtime/calls",
                files=files,
                headers={"Authorization": "Bearer sk-x"},
            )
    assert reply.status_code == 400, f"{reply.status_code} {reply.text[:200]}"
    assert "RecursionError" not in caplog.text

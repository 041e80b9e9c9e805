"""The emulator's REST routes answer a deeply nested JSON body with a 500 and a traceback in
its log (``json_body`` catches ``ValueError`` only, and ``json.loads`` raises
``RecursionError``). An exposed emulator must answer 400, as it does for any other body
that is not a JSON object."""

from __future__ import annotations

import logging

import httpx2
import pytest

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

DEEP = "[" * 100_000


@pytest.mark.parametrize("path", ["/emulator/calls", "/realtime/client_secrets"])
async def test_a_deeply_nested_body_is_a_400_not_a_500(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with Emulator() as emu, httpx2.AsyncClient(timeout=30) as http:
        with caplog.at_level(logging.ERROR):
            reply = await http.post(
                emu.http_url + path,
                content=DEEP,
                headers={"content-type": "application/json", "authorization": "Bearer x"},
            )
    assert reply.status_code == 400, f"{reply.status_code} {reply.text[:200]}"
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text

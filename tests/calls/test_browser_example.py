"""The browser example (examples/browser_app.py and its page) runs offline: with
``OPENAI_BASE_URL`` set to the emulator's, the app mints from the emulator with no key, and
the page posts its offer where ``/session`` says, never to a URL of its own."""

from __future__ import annotations

import importlib.util
import re
import uuid
from pathlib import Path
from types import ModuleType

import httpx2
import pytest

from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PAGE = (EXAMPLES / "browser" / "index.html").read_text()


def load_example() -> ModuleType:
    """examples/browser_app.py, imported afresh (it reads the environment on import)."""
    spec = importlib.util.spec_from_file_location(
        f"browser_app_{uuid.uuid4().hex}", EXAMPLES / "browser_app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_has_no_api_url_of_its_own() -> None:
    assert "api.openai.com" not in PAGE
    assert "webrtc_url" in PAGE  # where /session says the offer goes


def test_the_page_keeps_the_ids_a_browser_test_reads() -> None:
    ids = set(re.findall(r'id="([\w-]+)"', PAGE))
    assert {"talk", "hangup", "status", "call-id", "level", "peak", "log"} <= ids
    assert "document.body.dataset.state" in PAGE
    for event in (
        "response.output_audio_transcript.done",
        "conversation.item.input_audio_transcription.completed",
    ):
        assert event in PAGE
    assert "createAnalyser" in PAGE  # the agent's audio is measured


@pytest.mark.anyio
async def test_the_example_app_mints_from_the_emulator_with_no_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        monkeypatch.setenv("OPENAI_BASE_URL", emu.http_url)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        example = load_example()
        async with serve_asgi(example.app) as url, httpx2.AsyncClient(base_url=url) as http:
            page = await http.get("/")
            minted = await http.post("/session")
    assert page.status_code == 200 and "<title>" in page.text
    assert minted.status_code == 200, minted.text
    body = minted.json()
    assert emu.client_secrets.valid(body["client_secret"])
    assert body["webrtc_url"] == f"{emu.http_url}/realtime/calls"

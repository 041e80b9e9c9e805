"""The environment's ``OPENAI_API_KEY`` goes to OpenAI's hosts only, and only over TLS: a
``ws://api.openai.com`` URL (a slip for ``wss://``) would send it in the clear."""

from __future__ import annotations

import pytest

import rtagents
from rtagents._redact import env_api_key
from rtagents.errors import ConnectError

pytestmark = pytest.mark.anyio


def test_the_environments_key_is_for_tls_urls_of_openai_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-secret-key")
    assert env_api_key(None) == "sk-env-secret-key"
    assert env_api_key("wss://api.openai.com/v1/realtime") == "sk-env-secret-key"
    assert env_api_key("https://api.openai.com/v1") == "sk-env-secret-key"
    assert env_api_key("ws://api.openai.com/v1/realtime") is None
    assert env_api_key("http://api.openai.com/v1") is None
    assert env_api_key("wss://example.com/v1/realtime") is None


async def test_connect_refuses_openai_without_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-secret-key")
    agent = rtagents.Agent(name="a")
    for key in (None, "sk-given-secret-key"):
        with pytest.raises(ConnectError, match="wss://") as caught:
            async with rtagents.connect(agent, url="ws://api.openai.com/v1/realtime", api_key=key):
                pass
        assert "secret-key" not in str(caught.value)

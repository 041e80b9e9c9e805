"""``endpoint`` sends ``OPENAI_API_KEY`` only to OpenAI's own hosts, judged by domain
(``_redact.env_api_key``): a host that is ``openai.com`` or ends in ``.openai.com``. A suffix
test on the string would also give the user's OpenAI key to any host whose name merely ends in
those letters (``notopenai.com``, ``attacker-openai.com``). ``api.openai.com`` still gets the
key."""

from __future__ import annotations

import pytest

from rtagents.session.connect import endpoint


@pytest.mark.parametrize("host", ["notopenai.com", "attacker-openai.com"])
def test_env_key_not_sent_to_a_lookalike_host(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-env-key")
    _, headers = endpoint(f"wss://{host}/v1/realtime", None, None, "gpt-realtime", None)
    assert "Authorization" not in headers


def test_env_key_still_sent_to_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-env-key")
    _, headers = endpoint("wss://api.openai.com/v1/realtime", None, None, "gpt-realtime", None)
    assert headers["Authorization"] == "Bearer sk-secret-env-key"

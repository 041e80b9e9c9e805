"""``CallServer`` sends ``OPENAI_API_KEY`` to OpenAI's own hosts only, by the same rule as
``connect`` (``_redact.env_api_key``: a host that is ``openai.com`` or ends in ``.openai.com``;
docs/session.md, docs/cli.md). With no ``api_key`` given, a ``base_url`` elsewhere gets no key
from the environment. That covers the REST client (``CallsAPI``) and every call's websocket:
``RingingCall``, ``SidebandCall`` and the Twilio bridge pass the server's key to ``connect``,
where an explicit key is sent to any host. Otherwise a developer with the key exported who
points a CallServer at an emulator or another host (``OPENAI_BASE_URL`` in
examples/browser_app.py) would give that host the OpenAI key."""

from __future__ import annotations

import base64

import pytest

import rtagents
from rtagents.calls import CallServer

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def test_the_env_key_is_not_sent_to_a_non_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-env-key")
    app = CallServer(
        rtagents.Agent(name="a"), webhook_secret=SECRET, base_url="http://calls.example.net/v1"
    )
    assert app.api._client.headers.get("Authorization") is None

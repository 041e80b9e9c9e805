"""The change makes ``OPENAI_API_KEY`` go "to OpenAI's hosts only" (``connect``'s
``endpoint``; docs/session.md, docs/cli.md), but ``CallServer`` still reads the variable
itself and hands it as an explicit ``api_key`` to whatever ``base_url`` it is given: the REST
client (``CallsAPI``) and every call's websocket (``RingingCall``/``SidebandCall``/the Twilio
bridge pass ``self._api_key`` to ``connect``, where an explicit key is sent anywhere). A
developer with the key exported who points a CallServer at an emulator or another host
(``OPENAI_BASE_URL`` in examples/browser_app.py) gives that host the OpenAI key."""

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

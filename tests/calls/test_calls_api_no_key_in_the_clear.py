"""The calls API never sends a key to OpenAI without TLS, as ``connect`` never does: a
``CallsAPI`` or a ``CallServer`` given a key and ``http://api.openai.com/...`` (a slip for
``https``) is refused as it is made, before any request. Without a key, or to another host
(the emulator), plain HTTP is what it is."""

from __future__ import annotations

import pytest

from rtagents import Agent
from rtagents.calls import CallsAPI, CallServer

KEY = "sk-proj-given-secret-key-123"
SECRET = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQ="


@pytest.mark.parametrize("base", ["http://api.openai.com/v1", "http://API.openai.com./v1"])
def test_a_key_is_never_sent_to_openai_in_the_clear(base: str) -> None:
    with pytest.raises(ValueError, match="https://") as refused:
        CallsAPI(KEY, base)
    assert KEY not in str(refused.value)
    with pytest.raises(ValueError, match="https://"):
        CallServer(Agent(name="a"), webhook_secret=SECRET, api_key=KEY, base_url=base)


def test_plain_http_without_a_key_or_to_another_host_is_taken() -> None:
    CallsAPI(None, "http://api.openai.com/v1")
    CallsAPI(KEY, "http://127.0.0.1:9/v1")

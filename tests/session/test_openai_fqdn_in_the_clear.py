"""``endpoint`` refuses ``ws://api.openai.com`` ("OpenAI's API is reached over wss://: an API
key never goes in the clear"), but the same host written as a fully qualified name with its
trailing dot (``ws://api.openai.com./v1/realtime``, which resolves to the same servers) passes:
the ``api_key`` given is then sent in a plain-text handshake."""

from __future__ import annotations

import pytest

from rtagents.errors import ConnectError
from rtagents.session.connect import endpoint


@pytest.mark.parametrize("host", ["api.openai.com.", "API.OPENAI.COM."])
def test_openai_by_its_fully_qualified_name_is_refused_without_tls(host: str) -> None:
    try:
        url, headers = endpoint(
            f"ws://{host}/v1/realtime", "sk-given-secret-key", None, "gpt-realtime", None
        )
    except ConnectError as exc:
        assert "wss://" in str(exc)
    else:
        pytest.fail(f"would open {url} in the clear with {sorted(headers)}")

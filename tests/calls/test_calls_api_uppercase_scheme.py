"""A base URL whose scheme is written in capitals (``HTTPS://...``: schemes are
case-insensitive, RFC 3986 3.1; httpx reaches it over TLS) gets its sidebands over ``wss://``
too. Before, ``CallsAPI.websocket_url`` compared the scheme to ``"https"`` as written: against
OpenAI's host every call was accepted and then hung up (``ws://`` refused), and against a
gateway the sideband carried the API key over an unencrypted websocket ("an API key never
goes in the clear")."""

from __future__ import annotations

import pytest

from rtagents.calls import CallsAPI
from rtagents.calls.sideband import Reach


@pytest.mark.parametrize("base", ["HTTPS://gateway.example.com/v1", "Https://api.openai.com/v1"])
def test_an_https_base_in_capitals_keeps_its_sidebands_on_tls(base: str) -> None:
    api = CallsAPI("sk-test-0123456789abcdef", base)
    reach = Reach(api, "sk-test-0123456789abcdef")
    assert reach.url.startswith("wss://"), reach.url
    assert reach.live_url.startswith("wss://"), reach.live_url

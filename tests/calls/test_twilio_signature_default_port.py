"""Twilio signs a stream's URL as the app gave it (``wss://voice.example.com/twilio``); a
proxy in front of the app may pass the ``Host`` header with the default port
(``voice.example.com:443``), or the app may have given the port that the proxy then drops.
The signature is checked against both forms, as Twilio's own validators do; any other
difference (another port, path, host, token) is still refused."""

from __future__ import annotations

import pytest

from rtagents.calls import CallerRequest, TwilioStreams, twilio_signature

pytestmark = pytest.mark.anyio
TOKEN = "twilio-auth-token-for-tests"


def handshake(url: str, signed_url: str, token: str = TOKEN) -> CallerRequest:
    signature = twilio_signature(token, signed_url)
    headers = {"x-twilio-signature": signature}
    return CallerRequest("WEBSOCKET", "/twilio", "10.0.0.9", url, headers, {}, {})


@pytest.mark.parametrize(
    ("seen", "signed"),
    [
        ("ws://voice.example.com:443/twilio", "wss://voice.example.com/twilio"),
        ("ws://voice.example.com/twilio", "wss://voice.example.com:443/twilio"),
        ("ws://voice.example.com/twilio?a=1", "wss://voice.example.com/twilio?a=1"),
        ("ws://[2001:db8::1]:443/twilio", "wss://[2001:db8::1]/twilio"),
    ],
)
async def test_the_default_port_either_way_is_the_same_url(seen: str, signed: str) -> None:
    assert await TwilioStreams(auth_token=TOKEN).signed(handshake(seen, signed))


@pytest.mark.parametrize(
    ("seen", "signed", "token"),
    [
        ("ws://voice.example.com:8443/twilio", "wss://voice.example.com/twilio", TOKEN),
        ("ws://voice.example.com/twilio", "wss://voice.example.com:8443/twilio", TOKEN),
        ("ws://voice.example.com/twilio", "wss://other.example.com/twilio", TOKEN),
        ("ws://voice.example.com/twilio", "wss://voice.example.com/twilio2", TOKEN),
        ("ws://voice.example.com:443/twilio", "wss://voice.example.com/twilio", "another"),
    ],
)
async def test_anything_else_is_refused(seen: str, signed: str, token: str) -> None:
    assert not await TwilioStreams(auth_token=TOKEN).signed(handshake(seen, signed, token))

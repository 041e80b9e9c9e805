"""``TwilioStreams`` says what is wrong with its settings when it is made, not at each
stream: a ``start_timeout`` that is no time (zero, negative, NaN, a string: it also bounds the
signature check, so every signed stream was refused, logged as "did not answer in 0 s"), an
``on_dtmf`` that is not callable (it failed at each press). A signature header that is not
ASCII is simply not the signature: refused as any wrong one is, not through the
``TypeError`` ``hmac.compare_digest`` raises on such text."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from rtagents.calls import CallerRequest, TwilioStreams, twilio_signature

TOKEN = "twilio-auth-token-for-tests"
URL = "wss://voice.example.com/twilio"


@pytest.mark.parametrize("seconds", [0, -1, float("nan"), float("inf"), "5", True])
def test_a_start_timeout_that_is_no_time_is_refused(seconds: Any) -> None:
    with pytest.raises(ValueError, match="start_timeout"):
        TwilioStreams(auth_token=TOKEN, start_timeout=seconds)


def test_an_on_dtmf_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="on_dtmf"):
        TwilioStreams(auth_token=TOKEN, on_dtmf=None)  # type: ignore[arg-type]


@pytest.mark.anyio
@pytest.mark.parametrize("signature", ["é" * 28, "\udcff", twilio_signature(TOKEN, URL) + "é"])
async def test_a_signature_that_is_not_ascii_is_refused_quietly(
    signature: str, caplog: pytest.LogCaptureFixture
) -> None:
    request = CallerRequest(
        "WEBSOCKET", "/twilio", "10.0.0.9", URL, {"x-twilio-signature": signature}, {}, {}
    )
    with caplog.at_level(logging.DEBUG):
        assert not await TwilioStreams(auth_token=TOKEN).signed(request)
    assert not [r for r in caplog.records if r.exc_info], caplog.text


@pytest.mark.anyio
async def test_the_right_signature_still_passes() -> None:
    signature = twilio_signature(TOKEN, URL)
    request = CallerRequest(
        "WEBSOCKET", "/twilio", "10.0.0.9", URL, {"x-twilio-signature": signature}, {}, {}
    )
    assert await TwilioStreams(auth_token=TOKEN).signed(request)

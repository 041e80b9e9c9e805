"""A Realtime URL that has a query already (a gateway's ``?token=``, Azure's
``?api-version=``) still names the call to attach to, or else the agent's model: they are
added to its query, not dropped (a sideband that named no call would open a fresh session,
and the caller would hear nothing). A query naming its own model, deployment or intent is
not given the agent's model."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


async def _query_sent(url_query: str, **kwargs: object) -> dict[str, list[str]]:
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(
                rtagents.Agent(name="a", model="gpt-realtime-mini"),
                url=f"{server.url}{url_query}",
                reconnect=None,
                **kwargs,  # type: ignore[arg-type]
            ):
                assert server.ws is not None and server.ws.request is not None
                return parse_qs(urlsplit(server.ws.request.path).query)
    raise AssertionError("unreachable")


async def test_a_call_id_is_sent_when_the_url_has_a_token_query() -> None:
    sent = await _query_sent("?token=gw-token-9f8e7d6c5b4a", call_id="rtc_abc123")
    assert sent.get("call_id") == ["rtc_abc123"], f"the server was asked for {sent}"


async def test_the_model_is_sent_when_the_url_has_a_token_query() -> None:
    sent = await _query_sent("?token=gw-token-9f8e7d6c5b4a")
    assert sent.get("model") == ["gpt-realtime-mini"], f"the server was asked for {sent}"


async def test_a_url_ending_in_a_bare_question_mark_still_names_the_model() -> None:
    # ``.../v1/realtime?`` (an empty query) becomes ``.../v1/realtime??model=...``: the
    # server reads a parameter named ``?model``.
    sent = await _query_sent("?")
    assert sent.get("model") == ["gpt-realtime-mini"], f"the server was asked for {sent}"

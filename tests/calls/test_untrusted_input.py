"""What reaches a CallServer from outside, checked before it is used: call ids in webhooks
and stream starts have the API's shape (never a path, never a log line of their own), paths
to the REST API quote their segments, and a webhook's body is bounded and parsed without a
500. Real HTTP under uvicorn, raw sockets where a client library would not misbehave."""

from __future__ import annotations

import json
import logging

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallsAPI, CallServer, TwilioStreams
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.calls.harness import SECRET, incoming, recording_api, signed

pytestmark = pytest.mark.anyio
HOSTILE = ["../../../v1/files", "rtc_1/../../files", "rtc_a\r\nWARNING forged line", "", 7, None]


def no_forged_lines(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert "\n" not in record.getMessage() and "\r" not in record.getMessage(), record.msg


@pytest.mark.parametrize("call_id", HOSTILE, ids=range(len(HOSTILE)))
async def test_a_signed_webhook_with_a_bad_call_id_reaches_no_api(
    call_id: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="rtagents")
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(), webhook_secret=SECRET, api_key="sk-x", base_url=api.url
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            body = incoming(call_id)
            reply = await http.post("/openai/webhook", content=body, headers=signed(body))
            assert reply.status_code == 400 and "call_id" in reply.json()["error"]
            good = incoming("rtc_good_1")
            ok = await http.post(
                "/openai/webhook", content=good, headers=signed(good, event_id="e2")
            )
            assert ok.status_code == 200
            with anyio.fail_after(5):
                while not api.requests:
                    await anyio.sleep(0.01)
    assert api.requests[0][:2] == ("POST", "/v1/realtime/calls/rtc_good_1/accept")
    assert list(app.calls) == ["rtc_good_1"]
    no_forged_lines(caplog)


async def test_the_rest_client_refuses_ids_that_are_not_call_ids() -> None:
    async with recording_api() as api:
        client = CallsAPI("sk-x", api.url, retries=0)
        for call_id in ("../../files", "rtc_1/../x", "rtc_%2e%2e", "rtc_1?x=1", "rtc_1#x"):
            with pytest.raises(ValueError, match="call id"):
                await client.hangup(call_id)
        await client.hangup("rtc_ok-1_A")
        await client.aclose()
    assert [path for _, path, _ in api.requests] == ["/v1/realtime/calls/rtc_ok-1_A/hangup"]


async def test_a_twilio_stream_with_a_bad_call_sid_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="rtagents")
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=api.url,
            twilio=TwilioStreams(auth_token=None),
        )
        async with serve_asgi(app) as url:
            ws = url.replace("http", "ws", 1) + "/twilio"
            phone = TwilioMediaClient(ws, call_sid="CA../../x\r\nforged", playback="instant")
            async with phone:
                with anyio.fail_after(5):
                    while phone.closed is None:
                        await anyio.sleep(0.01)
    assert phone.closed == 1008
    assert app.calls == {}
    no_forged_lines(caplog)


LIMIT = 1024 * 1024


async def _raw_post(url: str, head: str, chunks: list[bytes], hold: anyio.Event) -> bytes:
    """POST over a plain socket: ``head``, then ``chunks``, then nothing more until ``hold``
    is set; what the server answers meanwhile."""
    host, port = url.removeprefix("http://").split(":")
    async with await anyio.connect_tcp(host, int(port)) as sock:
        await sock.send(head.encode())
        for chunk in chunks:
            await sock.send(chunk)
        reply = b""
        with anyio.move_on_after(5):
            while b"\r\n\r\n" not in reply:
                reply += await sock.receive()
        hold.set()
        return reply


async def test_a_webhook_body_beyond_the_limit_is_refused_before_it_is_read() -> None:
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(), webhook_secret=SECRET, api_key="sk-x", base_url=api.url
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            hold = anyio.Event()
            # Declared too large: refused on the header, before any of it is sent.
            head = (
                "POST /openai/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {50 * LIMIT}\r\n\r\n"
            )
            declared = await _raw_post(url, head, [], hold)
            assert declared.startswith(b"HTTP/1.1 413"), declared[:200]
            # Chunked, with no length: refused once the limit is passed, while the sender
            # still has 49 MB to go (which it never sends).
            head = (
                "POST /openai/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            )
            piece = b"x" * 65536
            chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
            streamed = await _raw_post(url, head, [chunk] * (LIMIT // len(piece) + 1), hold)
            assert streamed.startswith(b"HTTP/1.1 413"), streamed[:200]
            # Just under the limit is read (and refused for its signature, not its size).
            body = b" " * (LIMIT - 2) + b"{}"
            assert (await http.post("/openai/webhook", content=body)).status_code == 400
    assert api.requests == []


BAD_SIGNATURES = ["v1abc", "v1,a,b", "v1,!!!", "v1,", ",", "v1,YQ== v1"]


async def test_malformed_signatures_odd_bodies_and_bad_json_get_400_not_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(), webhook_secret=SECRET, api_key="sk-x", base_url=api.url
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            body = incoming("rtc_1")
            for n, signature in enumerate(BAD_SIGNATURES):
                headers = {**signed(body, event_id=f"e{n}"), "webhook-signature": signature}
                reply = await http.post("/openai/webhook", content=body, headers=headers)
                assert reply.status_code == 400, (signature, reply.text)
                assert "signature" in reply.json()["error"]
            odd = b'{"type": "\xff\xfe"}'  # no UTF-8 to sign: the signature of another body
            reply = await http.post("/openai/webhook", content=odd, headers=signed("{}"))
            assert reply.status_code == 400 and "UTF-8" in reply.json()["error"]
            for n, bad in enumerate(["{not json", "[1, 2]", "[" * 100_000, '"text"']):
                headers = signed(bad, event_id=f"j{n}")
                reply = await http.post("/openai/webhook", content=bad, headers=headers)
                assert reply.status_code == 400, (bad[:20], reply.text)
                assert "JSON" in reply.json()["error"]
            event = json.loads(incoming("rtc_still_ok"))
            good = json.dumps(event)
            ok = await http.post(
                "/openai/webhook", content=good, headers=signed(good, event_id="g")
            )
            assert ok.status_code == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "Traceback" not in caplog.text

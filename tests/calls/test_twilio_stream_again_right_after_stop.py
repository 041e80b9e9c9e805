"""A Twilio call moved to new TwiML while it streams (Twilio's REST ``calls(sid).update``
with ``<Connect><Stream>`` again, or a ``<Redirect>``: to another desk, after a hold
message): Twilio sends ``stop`` on the old stream and runs the new TwiML at once, so the new
stream of the same CallSid arrives while the old stream is still being torn down here (its
session closing at OpenAI, one round trip; its claim released in the registry, another).

docs/twilio.md: "Once its stream ended, the same call may stream again (TwiML's
``<Connect><Stream>`` again after a ``<Gather>``, or a ``<Redirect>``), on any replica; it
is routed afresh". Instead the new stream is refused with 1008 ("a second stream for call
..., still live, was refused"), and Twilio goes on with the TwiML after ``<Connect>``: the
caller is cut off from the agent.

Why: ``CallLifecycle.claim(again=True)`` returns False at once while the old record is
still ``active`` (it waits only for ``_releasing``, which exists only once the old stream's
claim is being released, after its session closed); across replicas ``RECLAIM`` returns 0
while the old replica's claim is live. A stream Twilio itself stopped is over; its
successor should wait (bounded by ``claim_timeout``) for the old one's end.

OpenAI's answer to the sideband's close is made to take its time by a relay in front of the
emulator that holds the emulator's bytes while ``slow`` is set (a far API; deterministic)."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi
from tests.calls.harness import Relay

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-races"


def phone(url: str, **options: Any) -> TwilioMediaClient:
    return TwilioMediaClient(url.replace("http", "ws", 1) + "/twilio", auth_token=TOKEN, **options)


async def streamed_again(
    apps: list[CallServer], urls: list[str], far: Relay, dropped: bool = False
) -> None:
    """The call streams on apps[0]; Twilio moves it to new TwiML: stop (or the stream's
    socket drops, no stop), and the new stream (the same CallSid) reaches apps[-1] as the
    old one's session is closing."""
    first_app, next_app = apps[0], apps[-1]
    async with phone(urls[0]) as first:
        sid = first.call_sid
        with anyio.fail_after(10):
            while not (sid in first_app.calls and first_app.calls[sid].session):
                await anyio.sleep(0.01)
        far.flowing.clear()  # OpenAI's answers now take their time
        if dropped:
            first._ws.transport.abort()
            with anyio.fail_after(5):  # the server has seen the socket go
                while (
                    first_app.calls[sid].state == "active"
                    and not first_app.calls[sid].session.closed_reason
                ):
                    await anyio.sleep(0.01)
    old_record = first_app.calls[sid]  # stopped by Twilio: its session is closing
    claimed = anyio.Event()
    claim = next_app._lifecycle.claim

    async def watched(call_id: str, *, again: bool = False) -> bool:
        try:
            return await claim(call_id, again=again)
        finally:
            claimed.set()

    next_app._lifecycle.claim = watched  # type: ignore[method-assign]
    async with phone(urls[-1], call_sid=sid) as again:
        with anyio.fail_after(10):  # (a claim that waits for the old stream's end: <= 2 s)
            await claimed.wait()  # the new stream's claim decided
        far.flowing.set()  # OpenAI's answer to the close arrives
        with anyio.fail_after(15):
            while again.closed is None and not (
                (record := next_app.calls.get(sid)) is not None
                and record is not old_record
                and record.session is not None
            ):
                await anyio.sleep(0.01)
        assert old_record.state == "ended"
        assert again.closed is None, f"the new stream was refused with {again.closed}"
        assert next_app.calls[sid].state == "active"


@pytest.mark.parametrize("dropped", [False, True], ids=["stopped", "dropped"])
async def test_a_call_streamed_again_right_after_its_stream_ended_is_served(dropped: bool) -> None:
    """Twilio stopped the stream, or (``dropped``) its socket dropped, no ``stop``: Twilio
    goes on with the TwiML after ``<Connect>`` all the same. The next stream comes as the
    session is closing."""
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        far = Relay(emu.http_url, Relay.API)
        async with far.serving() as api:
            app = CallServer(
                agent=rtagents.Agent(name="desk"),
                twilio=TwilioStreams(auth_token=TOKEN),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=api,
            )
            async with serve_asgi(app) as url:
                await streamed_again([app], [url], far, dropped=dropped)


async def test_a_call_streamed_again_on_another_replica_right_after_stop_is_served(
    redis_url: str,
) -> None:
    prefix = f"races-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        far = Relay(emu.http_url, Relay.API)
        async with far.serving() as api:
            apps = [
                CallServer(
                    agent=rtagents.Agent(name="desk"),
                    twilio=TwilioStreams(auth_token=TOKEN),
                    webhook_secret=SECRET,
                    api_key="sk-x",
                    base_url=api,
                    registry=RedisRegistry(redis_url, replica=name, prefix=prefix),
                )
                for name in ("a", "b")
            ]
            async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]) as url_b:
                await streamed_again(apps, [url_a, url_b], far)

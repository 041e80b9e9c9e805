"""``app.hangup(call_sid)`` of a Twilio stream, sent to the replica that does not hold it.

docs/deployment.md: "Twilio streams are claimed in the same way (the call SID is the key),
so a command can reach them from any replica." docs/twilio.md: "``end_call`` (or
``app.hangup(call_sid)``) waits until the goodbye has been heard (every mark echoed, at
most 10 s), then ends the stream."

On the replica holding the stream the hang-up waits for the marks (up to 10 s); forwarded
through Redis, the sender gives up after ``command_timeout`` plus 2 s (7 s by default) and
raises ``CallOwnerGone`` ("the call registry (Redis) did not answer hangup in 7 s") although
Redis answered everything and replica a is alive and does hang the call up: a supervisor's UI that reached the other replica is told
the owner is gone, for an ordinary hang-up of a call whose agent is mid-sentence."""

from __future__ import annotations

import uuid

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"
LONG = "This answer goes on for a while, long enough for the caller to talk over it. " * 4


async def test_a_hang_up_forwarded_to_the_replica_of_a_stream_is_not_told_the_owner_is_gone(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([LONG], then="ok")) as emu:
        apps = [
            CallServer(
                agent=rtagents.Agent(name="phone"),
                twilio=TwilioStreams(auth_token=TOKEN),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                # (without the goodbye's own wait, a forwarded hang-up gave up in 1 + 2 s)
                registry=RedisRegistry(redis_url, replica=name, prefix=prefix, command_timeout=1),
            )
            for name in ("a", "b")
        ]
        async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]):
            ws = url_a.replace("http", "ws", 1) + "/twilio"
            phone = TwilioMediaClient(ws, auth_token=TOKEN, playback="manual")
            async with phone:
                sid = phone.call_sid
                with anyio.fail_after(10):
                    while not (sid in apps[0].calls and apps[0].calls[sid].session):
                        await anyio.sleep(0.01)
                    await apps[0].calls[sid].session.send_text("Tell me everything.")
                    await phone.wait_for_audio(8000)  # a long answer queued at "Twilio"
                raised: list[BaseException] = []

                async def supervisor_hangs_up() -> None:
                    try:
                        await apps[1].hangup(sid)  # the other replica: forwarded
                    except Exception as exc:
                        raised.append(exc)

                with anyio.fail_after(20):
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(supervisor_hangs_up)
                        await anyio.sleep(4)  # the caller is still hearing the answer...
                        await phone.play_out(60_000)  # ...then has heard all of it
                        code = await phone.wait_closed()
    assert code == 1000  # replica a did hang up
    assert not raised, f"the forwarded hang-up raised {type(raised[0]).__name__}: {raised[0]}"

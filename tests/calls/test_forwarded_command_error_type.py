"""A command a replica forwards to the call's owner fails there with the library's own
error (``CallControlError``: a Twilio stream cannot be transferred), but the replica that
forwarded it raises a bare ``RuntimeError`` instead.

docs/twilio.md: ``transfer_call`` on a stream "raises ``CallControlError``, which says so";
docs/deployment.md: ``app.transfer`` and the other commands "run locally when this replica
holds the call. Otherwise the command is published on the owning replica's channel". The
same ``app.transfer(call_sid, ...)`` should fail the same way whichever replica the
supervisor's UI reached: code that catches ``CallControlError`` (or any ``RtagentsError``)
must not see a different exception because the load balancer picked the other replica."""

from __future__ import annotations

import uuid

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, TwilioStreams
from rtagents.calls.control import CallControlError
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
TOKEN = "twilio-auth-token-for-review"


async def test_a_forwarded_transfer_of_a_stream_raises_what_a_local_one_does(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        apps = [
            CallServer(
                agent=rtagents.Agent(name="phone"),
                twilio=TwilioStreams(auth_token=TOKEN),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(redis_url, replica=name, prefix=prefix),
            )
            for name in ("a", "b")
        ]
        async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]):
            ws = url_a.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(ws, auth_token=TOKEN) as phone:
                sid = phone.call_sid
                with anyio.fail_after(10):
                    while not (sid in apps[0].calls and apps[0].calls[sid].session):
                        await anyio.sleep(0.01)
                # On the replica that holds the stream: the library's error.
                with pytest.raises(CallControlError):
                    await apps[0].transfer(sid, "tel:+15550001")
                # The same command through the other replica.
                with anyio.fail_after(10):
                    try:
                        await apps[1].transfer(sid, "tel:+15550001")
                    except Exception as exc:
                        raised: Exception | None = exc
                    else:
                        raised = None
    assert isinstance(raised, CallControlError), (
        f"forwarded through replica b, the transfer raised {type(raised).__name__}: {raised}"
    )

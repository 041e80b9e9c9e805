"""A supervisor's ``say`` races the end of a call: the call was hung up (the API ended it and
closed its sideband; the hang-up's REST reply is still on its way, so the record is still
``active``). Sent to the replica that holds the call, ``app.say`` raises
``SessionClosedError`` (an ``RtagentsError``); sent to the other replica, the same command
raises a bare ``RuntimeError("SessionClosedError: ...")``.

docs/deployment.md: "A command that fails on the owner raises the same error where it was
given (``CallControlError``, ``CallsAPIError``, ``ValueError``, ...), whichever replica the
supervisor reached"; and "A call that no replica holds, or that has ended, raises
``CallNotFound``". A supervisor UI that catches ``RtagentsError`` (or ``CallNotFound``) for
"the call just ended" gets an unexpected ``RuntimeError`` when its load balancer picked the
other replica.

The REST API's replies are made to take their time by a relay in front of the emulator that
holds them (a far API; deterministic); the sideband's websocket is not held."""

from __future__ import annotations

import uuid

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import Relay

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def test_a_say_racing_the_calls_end_fails_alike_on_either_replica(redis_url: str) -> None:
    prefix = f"races-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        slow = Relay(emu.http_url, Relay.API, hold_websockets=False)
        async with slow.serving() as api:
            apps = [
                CallServer(
                    agent=rtagents.Agent(name="desk"),
                    webhook_secret=SECRET,
                    api_key="sk-x",
                    base_url=api,
                    registry=RedisRegistry(redis_url, replica=name, prefix=prefix),
                )
                for name in ("a", "b")
            ]
            async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]):
                owner, other = apps
                call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
                with anyio.fail_after(10):
                    while not (call_id in owner.calls and owner.calls[call_id].session):
                        await anyio.sleep(0.01)
                record = owner.calls[call_id]
                slow.flowing.clear()  # the REST API's replies now take their time
                async with anyio.create_task_group() as tg:
                    tg.start_soon(owner.hangup, call_id)  # its reply is on its way
                    with anyio.fail_after(10):
                        while record.session.closed_reason is None:  # the API ended the call
                            await anyio.sleep(0.01)
                    assert record.state == "active"  # (its hang-up's reply not in yet)
                    with pytest.raises(Exception) as here:
                        await owner.say(call_id, "A supervisor says hello.")
                    with pytest.raises(Exception) as there:
                        await other.say(call_id, "A supervisor says hello.")
                    slow.flowing.set()
    assert type(there.value) is type(here.value), (repr(here.value), repr(there.value))

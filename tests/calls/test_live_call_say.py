"""``app.say(call_id, text)`` on a GPT-Live SIP call. docs/calls.md: a GPT-Live call is "routed
as any other (the same ``agent=`` or ``route=``, the same ``app.calls``)", and ``say`` is a
command of every call. It ran ``session.send_text``, which GPT-Live has no counterpart for,
and raised ``UnsupportedByAPI`` (forwarded through another replica, a bare ``RuntimeError``).
On GPT-Live it is commentary, which the model says (as the time-limit notice is); one past
what an append holds is a ``ValueError``, the same on whichever replica it was given
(docs/deployment.md)."""

from __future__ import annotations

import uuid

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


async def _raised(command: object) -> Exception | None:
    try:
        with anyio.fail_after(10):
            await command  # type: ignore[misc]
    except Exception as exc:
        return exc
    return None


async def test_say_on_a_live_call_forwarded_or_not(redis_url: str) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        apps = [
            CallServer(
                agent=rtagents.Agent(name="desk"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(redis_url, replica=name, prefix=prefix),
            )
            for name in ("a", "b")
        ]
        async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]):
            call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET, api="live")
            with anyio.fail_after(10):
                while not (call_id in apps[0].calls and apps[0].calls[call_id].session):
                    await anyio.sleep(0.02)
            forwarded = await _raised(apps[1].say(call_id, "A supervisor is listening."))
            too_long = "finding " * 1500
            here = await _raised(apps[0].say(call_id, too_long))
            there = await _raised(apps[1].say(call_id, too_long))
            await apps[0].hangup(call_id)
    assert forwarded is None, repr(forwarded)
    assert isinstance(here, ValueError), repr(here)
    assert type(there) is type(here), (
        f"on the owner: {type(here).__name__}; forwarded through replica b: "
        f"{type(there).__name__}: {there}"
    )


async def test_say_on_a_live_call_reaches_the_call() -> None:
    """On GPT-Live the supervisor's words go as commentary, as the time-limit notice does."""
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        app = CallServer(
            agent=rtagents.Agent(name="desk"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
        )
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, api="live")
            with anyio.fail_after(10):
                while not (call_id in app.calls and app.calls[call_id].session):
                    await anyio.sleep(0.02)
            raised = await _raised(app.say(call_id, "A supervisor is listening."))
            with anyio.fail_after(5):
                while not (
                    said := [
                        e["content"]
                        for e in emu.last.received
                        if e["type"] == "session.commentary.append"
                    ]
                ):
                    await anyio.sleep(0.02)
            await app.hangup(call_id)
    assert raised is None, f"app.say on a GPT-Live call raised {type(raised).__name__}: {raised}"
    assert said == ["A supervisor is listening."]

"""A call registry whose ``release`` raises (``CallRegistry`` is a public protocol: a registry
on the app's own store, which can be down for a moment) as one call ends costs that claim its
lease, logged, and nothing else: the other calls go on and the server takes calls. Before,
``CallLifecycle._finished`` awaited it unguarded, in the app's task group: the error ended
the group, and with it every other call of the process and the server's lifespan."""

from __future__ import annotations

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.calls.registry import LocalRegistry
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, incoming, signed, wait_for

pytestmark = pytest.mark.anyio


class FlakyRegistry(LocalRegistry):
    """Its store fails once, as the first call is released."""

    failed = False

    async def release(self, call_id: str) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the app's store is away for a moment")
        await super().release(call_id)


class ByCaller:
    """The first caller's call is ended at once; the second caller's goes on."""

    def respond(self, ctx: ModelContext) -> list[object]:
        said = [i for i in ctx.items if i.get("role") == "user"]
        text = str(said[-1]) if said else ""
        if "short" in text and not any(i.get("type") == "function_call" for i in ctx.items):
            return [CallFunction("end_call")]
        return [Say("Still here.")]


async def test_a_release_that_raises_ends_only_its_own_call() -> None:
    agent = rtagents.Agent(name="desk", tools=[end_call])
    async with Emulator(model=ByCaller()) as emu:
        app = CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="-",
            base_url=emu.http_url,
            registry=FlakyRegistry(),
            drain_timeout=0,  # (the long call is still up at the end: no wait for it)
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient() as http:
            hook = f"{url}/openai/webhook"
            long_call = emu.place_call(hook, SECRET, say=["long"], caller_waits_s=3600)
            with anyio.fail_after(10):
                while app.calls.get(long_call) is None or app.calls[long_call].session is None:
                    await anyio.sleep(0.02)
            short_call = emu.place_call(hook, SECRET, say=["short"])
            await wait_for(emu, short_call, "ended")
            with anyio.fail_after(10):
                while app.calls[short_call].state == "active":
                    await anyio.sleep(0.02)
            await anyio.sleep(0.3)  # (the release has been tried)
            # The other call goes on, and the server still takes calls.
            assert app.calls[long_call].state == "active", app.calls[long_call]
            assert emu.desk.calls[long_call].status == "accepted"
            body = incoming("rtc_afterwards0001")
            reply = await http.post(hook, content=body, headers=signed(body, event_id="evt_9"))
            assert reply.status_code == 200, reply.text


@pytest.mark.parametrize("count", [-1, 1.5, True, "10"])
def test_keep_ended_that_is_no_count_is_refused(count: object) -> None:
    """(A negative one emptied ``app.calls`` into an error as the first call ended.)"""
    with pytest.raises(ValueError, match="keep_ended"):
        CallServer(agent=rtagents.Agent(name="x"), webhook_secret=SECRET, keep_ended=count)  # type: ignore[arg-type]

"""Rule broken: "the emulator keeps only the latest ``keep_closed`` closed connections"
(docs/emulator.md, "Memory is bounded").

Every call placed on the emulator (``emu.place_call`` or ``POST /v1/emulator/calls``) keeps
its sideband connections in ``Call._sidebands`` for as long as the call is listed in
``emu.desk.calls``, which is for ever: a hung-up call's connections (each with its core, its
conversation, and up to ``record`` = 10,000 recorded frames each way) are never let go, though
``emu.connections`` dropped them long ago. An emulator serving a demo or a load test of a
``CallServer`` grows by every call it ever served (about 150 KiB for a one-line call).
Both APIs, over real sockets (the calls app under uvicorn)."""

from __future__ import annotations

import gc

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio

SECRET = "whsec_" + "ZXhhbXBsZS1zZWNyZXQta2V5LTAxMjM0NTY3OA=="
KEEP_CLOSED = 4
CALLS = 12


def emulator_connections_alive() -> int:
    gc.collect()
    return sum(
        1
        for obj in gc.get_objects()
        if type(obj).__module__ in ("rtagents.emulator.connection",)
        and type(obj).__name__ in ("EmulatorConnection", "Connection")
    )


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_ended_calls_do_not_keep_their_sideband_connections(api: str) -> None:
    agent = rtagents.Agent(name="desk")
    async with Emulator(model=ScriptedModel([], then="Hello."), keep_closed=KEEP_CLOSED) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="-", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            for _ in range(CALLS):
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Hi"], api=api)
                with anyio.fail_after(10):
                    record = app.calls.get(call_id)
                    while record is None or record.session is None:
                        await anyio.sleep(0.01)
                        record = app.calls.get(call_id)
                    call = emu.desk.calls[call_id]
                    while not any(line["role"] == "assistant" for line in call.transcript):
                        await anyio.sleep(0.01)
                await app.hangup(call_id)
                with anyio.fail_after(10):
                    while call.status != "ended":
                        await anyio.sleep(0.01)
            with anyio.fail_after(10):
                while any(c for c in emu.connections if not c.closed.is_set()):
                    await anyio.sleep(0.01)
            assert len(emu.connections) <= KEEP_CLOSED
            alive = emulator_connections_alive()
    assert alive <= KEEP_CLOSED, (
        f"{alive} emulator connections alive after {CALLS} calls ended "
        f"(keep_closed={KEEP_CLOSED}): the desk's calls keep them"
    )

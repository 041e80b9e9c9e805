"""The emulator serves GPT-Live's attach route (``/v1/live/sessions/{id}/attach``): after the
main connection drops, a client attaching there gets the same session back, and its
``session.update`` is answered (docs/emulator.md lists the attach route among what the emulator
has; it once listed it among what it lacks)."""

from __future__ import annotations

import json

import anyio
import websockets

from rtagents.emulator import Emulator, ScriptedModel

START = {"type": "session.start", "session": {"model": "gpt-live-1", "instructions": "Hi."}}


async def _attach_after_drop() -> dict:
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        async with websockets.connect(emu.live_url) as ws:
            await ws.send(json.dumps(START))
            while (event := json.loads(await ws.recv()))["type"] != "session.started":
                pass
            session_id = event["session"]["id"]
            ws.transport.abort()  # the primary connection drops (no session.close)
        await anyio.sleep(0.2)
        async with websockets.connect(f"{emu.live_url}/{session_id}/attach") as side:
            update = {
                "type": "session.update",
                "session": {"delegation": {"type": "client", "acknowledgement_delay_ms": 100}},
            }
            await side.send(json.dumps(update))
            with anyio.fail_after(5):
                event = json.loads(await side.recv())
        return {"asked_for": session_id, **event}


def test_attaching_after_a_drop_gives_the_live_session_back() -> None:
    first = anyio.run(_attach_after_drop)
    attached = first.get("type") == "session.updated" and (
        first.get("session", {}).get("id") == first["asked_for"]
    )
    assert attached, f"attaching gave {str(first)[:200]}"

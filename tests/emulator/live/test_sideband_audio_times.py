"""The model's audio reflected on a GPT-Live sideband carries its place on the timeline.

The openai SDK's ``OutputAudioDeltaEvent``: ``start_ms``/``end_ms`` are "Required on
reflected sideband events; omitted on the primary WebSocket" (a gap between two chunks is
audio that was dropped). Ours says the same (``protocol.live.OutputAudioDelta``: "24 kHz
PCM16 with its ``start_ms``/``end_ms`` on a sideband"), and docs/emulator.md says the API
sends them "only on a sideband". The emulator's sideband of a SIP call sends none, so a
sideband client written for the API (placing the caller's audio and the model's on one
timeline, a recorder, a barge-in meter) cannot be tested offline."""

from __future__ import annotations

import httpx2
import pytest
from openai import AsyncOpenAI

from rtagents.emulator import Emulator, ScriptedModel

from .sansio import WEATHER, responses
from .test_calls import SECRET, accept_body, webhook, webhook_sink
from .wire import LiveWire

pytestmark = pytest.mark.anyio


async def test_audio_on_a_sideband_has_its_times() -> None:
    async with (
        webhook_sink() as (hook, got),
        Emulator(model=ScriptedModel(["Hello there."]), api_key="sk-k") as emu,
        AsyncOpenAI(api_key="sk-k", base_url=emu.http_url) as openai,
    ):
        async with httpx2.AsyncClient(headers={"Authorization": "Bearer sk-k"}) as http:
            placed = await http.post(
                f"{emu.http_url}/emulator/calls",
                json={"webhook_url": hook, "webhook_secret": SECRET, "api": "live", "say": ["Hi"]},
            )
        session_id = placed.json()["call_id"]
        await webhook(got)
        await openai.live.sessions.accept(session_id, session=accept_body()["session"])
        sideband = await LiveWire.open(f"{emu.live_url}/{session_id}/attach", key="sk-k")
        update = {"delegation": responses(WEATHER)}
        await sideband.send({"type": "session.update", "event_id": "u1", "session": update})
        events = await sideband.until("session.usage.updated", timeout=10)
        await sideband.close()
    audio = [e for e in events if e["type"] == "session.output_audio.delta"]
    assert audio, [e["type"] for e in events]
    untimed = [i for i, e in enumerate(audio) if "start_ms" not in e or "end_ms" not in e]
    assert not untimed, f"{len(untimed)} of {len(audio)} sideband audio chunks have no times"

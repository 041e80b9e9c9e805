"""A call whose sideband cannot go on (its new connection refuses the configuration after
a drop) is never left up without its tools: it is hung up, and why is recorded and
logged. Real HTTP and websockets on loopback, against the emulator."""

from __future__ import annotations

import dataclasses
import logging

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ErrorReply, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
REFUSAL = "Tracing cannot be modified once it has been enabled for a session."


async def test_a_sideband_whose_configuration_is_refused_hangs_up_saying_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    emu_box: list[Emulator] = []

    @rtagents.tool
    def get_weather(city: str) -> str:
        """The weather; from now on the server refuses a session.update, then the sideband
        drops: its new connection is refused its configuration."""
        emu = emu_box[0]
        refuse = ErrorReply(to="session.update", code="invalid_value", message=REFUSAL)
        emu.settings = dataclasses.replace(emu.settings, faults=(refuse,))
        [sideband] = [c for c in emu.connections if not c.closed.is_set()]
        sideband.drop()
        return f"sunny in {city}"

    model = ScriptedModel([CallFunction("get_weather", {"city": "Paris"}), "It is sunny."])
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    caplog.set_level(logging.WARNING, "rtagents.calls")
    async with Emulator(model=model) as emu:
        emu_box.append(emu)
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET, say=["Weather?"])
            with anyio.fail_after(15):
                while emu.desk.calls[call_id].status != "ended":
                    await anyio.sleep(0.02)
            with anyio.fail_after(5):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.02)
    record = app.calls[call_id]
    assert record.state == "failed"
    assert record.session is not None and record.session.closed_with_error
    assert record.reason is not None and REFUSAL in record.reason
    [line] = [r.getMessage() for r in caplog.records if call_id in r.getMessage()]
    assert "failed" in line and REFUSAL in line

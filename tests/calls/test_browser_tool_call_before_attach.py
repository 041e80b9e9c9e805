"""A browser's call: the agent's function tools run only on the server's sideband, and each
tool call is answered. But ``POST /session`` mints the session with the agent's function
tools in it (docs/browser.md), and the call is live from the SDP answer on: the page's
microphone is on (examples/browser/index.html attaches only after the SDP exchange, and an
attach may take up to 20 s), server VAD answers the user's first words at once, and the
model may call a tool before any sideband exists. A sideband that attaches later sees only
the events from then on: that call is never answered, and the model waits on it; the user
hears nothing.

The model here behaves as a real one: it calls ``get_weather`` only when the session
declares it. Real parts: a CallServer under uvicorn, the emulator as the API, an aiortc
page over WebRTC."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, ModelContext, Say
from tests.calls.browser_call import browser_app, page_call

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class Weatherman:
    """Calls get_weather when it has it (and has no output for it yet); else speaks."""

    def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.pending_outputs:
            return [Say(f"It is {ctx.pending_outputs[0]['output']}.")]
        if any(t.get("name") == "get_weather" for t in ctx.tools):
            return [CallFunction("get_weather", {"city": "Paris"})]
        return [Say("One moment, please.")]


def _output(event: dict[str, Any]) -> bool:
    return event["type"] == "conversation.item.added" and (
        event["item"]["type"] == "function_call_output"
    )


async def test_a_tool_call_made_before_the_attach_is_answered() -> None:
    agent = rtagents.Agent(name="desk", tools=[get_weather])
    async with browser_app(model=Weatherman(), agent=agent) as (emu, app, http):
        async with page_call(emu, http) as (browser, call_id, secret):
            # The user speaks as soon as the call is up (here: a text turn and its response).
            said = {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Weather in Paris?"}],
            }
            browser.send({"type": "conversation.item.create", "item": said})
            browser.send({"type": "response.create"})
            done = (await browser.until("response.done"))[-1]["response"]
            calls = [o["call_id"] for o in done["output"] if o["type"] == "function_call"]
            body = {"call_id": call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            assert attached.json() == {"status": "attached"}, attached.text
            answered: list[str] = []
            if calls:
                with anyio.move_on_after(8):  # (waited only when a call is owed)
                    answered = [(await browser.until(_output, timeout=30))[-1]["item"]["call_id"]]
    assert answered == calls, (
        f"the model called get_weather ({calls}) before the sideband attached; once it "
        f"attached, nobody answered it: outputs {answered}"
    )

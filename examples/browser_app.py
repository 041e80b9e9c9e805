"""A browser voice agent: the page (examples/browser/index.html) talks to the API over WebRTC
with a client secret this server mints, and this server runs the agent's tools on a
sideband session of the page's call.

With OpenAI:

    OPENAI_API_KEY=sk-... OPENAI_WEBHOOK_SECRET=whsec_... rtagents serve examples/browser_app.py:app

Offline, against the emulator (no key; the base URL as the openai SDK takes it):

    rtagents emulator --port 8765 &
    OPENAI_BASE_URL=http://127.0.0.1:8765/v1 rtagents serve examples/browser_app.py:app

Then open http://127.0.0.1:8000/ (a browser allows the microphone on localhost).
Only requests from this machine may mint a client secret (spent on your key) or attach a
call: a real app's ``authorize`` checks its own login instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import rtagents
from rtagents.calls import CallerRequest, CallServer


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


agent = rtagents.Agent(
    name="browser-helper",
    instructions="You are a friendly voice assistant. Keep answers short.",
    tools=[get_weather],
    # The page shows what the user said too (the emulator: what its transcribe hook says).
    transcription=rtagents.protocol.AudioTranscription(model="gpt-4o-mini-transcribe"),
)


def from_this_machine(request: CallerRequest) -> bool:
    """Who may use /session and /session/attach: here, only this machine's browser."""
    return request.client in ("127.0.0.1", "::1")


page = StaticFiles(directory=Path(__file__).parent / "browser", html=True)
# The calls routes (/session, /session/attach, /openai/webhook), then the page at /.
app = CallServer(
    agent=agent,
    webhook_secret=os.environ.get("OPENAI_WEBHOOK_SECRET", "whsec_bm90LXNldA=="),
    base_url=os.environ.get("OPENAI_BASE_URL"),  # None: the API; the emulator's, offline
    routes=[Mount("/", app=page)],
    authorize=from_this_machine,
)


if __name__ == "__main__":
    print(__doc__)

"""A browser voice agent: the page (examples/browser/index.html) talks to OpenAI over WebRTC
with a client secret this server mints, and this server runs the agent's tools on a
sideband session of the page's call.

    OPENAI_API_KEY=sk-... OPENAI_WEBHOOK_SECRET=whsec_... rtagents serve examples/browser_app.py:app

Then open http://127.0.0.1:8000/ (a browser allows the microphone on localhost).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import rtagents
from rtagents.calls import CallServer


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


agent = rtagents.Agent(
    name="browser-helper",
    instructions="You are a friendly voice assistant. Keep answers short.",
    tools=[get_weather],
)
page = StaticFiles(directory=Path(__file__).parent / "browser", html=True)
# The calls routes (/session, /session/attach, /openai/webhook), then the page at /.
app = CallServer(
    agent=agent,
    webhook_secret=os.environ.get("OPENAI_WEBHOOK_SECRET", "whsec_bm90LXNldA=="),
    routes=[Mount("/", app=page)],
)


if __name__ == "__main__":
    print(__doc__)

"""The demo: a voice agent with tools, an approval, local and hosted MCP, on the emulator.

No API key and no network: the embedded emulator plays the Realtime server. With ``--real``
(and ``OPENAI_API_KEY``) the same agent talks to the OpenAI Realtime API instead.
"""

from __future__ import annotations

import base64
import os
import sys
import tempfile
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Literal

import anyio

import rtagents
import rtagents.audio
from rtagents.audio import write_wav
from rtagents.console import Transcript
from rtagents.emulator import Emulator, RuleModel
from rtagents.mcp import MCPServerStdio

QUESTIONS = [
    "What's the weather in Paris?",
    "Book a table at 'Chez Panisse' for 4 people",
    "List events for monday",
    "Search the docs for 'rate limits'",
]


@rtagents.tool
def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    """Current weather for a city.

    Args:
        city: City name, e.g. "Paris".
        unit: Temperature unit.
    """
    return f"18 degrees {unit} and sunny in {city}"


@rtagents.tool(needs_approval=True)
def book_table(restaurant: str, people: int) -> str:
    """Book a restaurant table (asks for approval first).

    Args:
        restaurant: The restaurant's name.
        people: How many people.
    """
    return f"Booked a table for {people} at {restaurant}, 8 pm."


def approve_bookings(request: rtagents.ApprovalRequest) -> rtagents.Decision:
    # A real app would ask the user (a UI, or "say yes to confirm"); the demo approves
    # bookings for up to 6 people.
    people = int(request.arguments.get("people", 0))
    return rtagents.Decision(people <= 6, None if people <= 6 else "too many people")


def build_agent(hosted_url: str | None, voice: bool = True) -> rtagents.Agent:
    tools: list[rtagents.FunctionTool | rtagents.HostedMCP | MCPServerStdio] = [
        get_weather,
        book_table,
        MCPServerStdio(sys.executable, ["-m", "rtagents.demo.mcp_servers"], name="calendar"),
    ]
    if hosted_url:
        tools.append(
            rtagents.HostedMCP(server_label="docs", server_url=hosted_url, require_approval="never")
        )
    return rtagents.Agent(
        name="concierge",
        instructions="You are a concise concierge. Use the tools; confirm bookings.",
        tools=tools,
        approval=rtagents.ApprovalPolicy(handler=approve_bookings, timeout=30),
        output_modalities=["audio"] if voice else ["text"],
        voice="marin",
    )


def docs_server() -> AbstractAsyncContextManager[str]:
    """The hosted MCP server, over streamable HTTP on loopback."""
    from ..testing.mcp_http import serve_mcp_http
    from .mcp_servers import docs

    return serve_mcp_http(docs)


async def converse(
    agent: rtagents.Agent, url: str | None, transcript: Transcript, voice: bytearray
) -> None:
    async with rtagents.connect(agent, url=url) as session:
        session.on("*")(transcript)
        session.on("response.output_audio.delta")(
            lambda event: voice.extend(base64.b64decode(event.delta))
        )
        for question in QUESTIONS:
            if "docs" in question and not any(
                isinstance(t, rtagents.HostedMCP) for t in agent.tools
            ):
                continue
            transcript.user(question)
            await session.ask(question)


async def main(
    real: bool = False, transcript: Transcript | None = None, out: Path | None = None
) -> Transcript:
    transcript = transcript or Transcript()
    out = out or Path(tempfile.gettempdir()) / "rtagents-demo.wav"
    voice = bytearray()
    transcript.say(
        "(each answer ends with [the time from the question to the complete answer, "
        "and the seconds of audio the agent sent])"
    )
    if real:
        if not os.environ.get("OPENAI_API_KEY"):
            raise SystemExit(
                "--real needs OPENAI_API_KEY; without it, run the demo on the emulator"
            )
        transcript.say(
            "(the hosted MCP step needs a public MCP server URL; it is skipped with --real)"
        )
        await converse(build_agent(None), None, transcript, voice)
        _report_voice(voice, out, transcript, "speech")
        return transcript
    async with docs_server() as docs_url, Emulator(model=RuleModel()) as emu:
        transcript.say(
            f"rtagents demo: the local emulator at {emu.url}, with its offline stand-in model "
            "(no API key, no network)"
        )
        await converse(build_agent(docs_url), emu.url, transcript, voice)
    # The emulator speaks with espeak-ng when it is installed, else in tones.
    _report_voice(voice, out, transcript, "speech" if emu.voice == "espeak" else "tones")
    transcript.say("demo finished")
    return transcript


def _report_voice(voice: bytearray, out: Path, transcript: Transcript, sound: str) -> None:
    if voice:
        write_wav(out, bytes(voice))
        seconds = len(voice) / 48000
        note = " (install espeak-ng for speech)" if sound == "tones" else ""
        transcript.say(f"the agent's voice: {seconds:.1f} s of {sound} in {out} (play it){note}")


async def talk_by_voice(device: rtagents.audio.AudioDevice, real: bool) -> None:
    """The demo agent through a microphone and speaker. Offline, the emulator has no speech
    recognition: each turn you speak is taken as the next demo question."""
    transcript = Transcript()
    voice = rtagents.audio.LocalVoice(device)

    async def talk(agent: rtagents.Agent, url: str | None) -> None:
        async with rtagents.connect(agent, url=url, player=voice.player) as session:
            session.on("*")(transcript)
            await voice.run(session)

    if real:
        transcript.say("rtagents demo --voice --real: speak; Ctrl-C ends.")
        await talk(build_agent(None), None)
        return
    questions = iter(QUESTIONS * 100)
    async with (
        docs_server() as docs_url,
        Emulator(model=RuleModel(), transcribe=lambda pcm, ms: next(questions)) as emu,
    ):
        transcript.say(
            "rtagents demo --voice: speak, then pause. Offline, each turn you say is taken as "
            f"the next demo question ({QUESTIONS[0]!r} first). Ctrl-C ends. It answers in "
            + ("espeak-ng speech." if emu.voice == "espeak" else "tones (no espeak-ng here).")
        )
        await talk(build_agent(docs_url), emu.url)


def run(real: bool = False, out: str | None = None, voice: bool = False) -> int:
    if real and not os.environ.get("OPENAI_API_KEY"):
        raise SystemExit("--real needs OPENAI_API_KEY; without it, run the demo on the emulator")
    if voice:
        device = rtagents.audio.SoundDevice()  # a missing device or PortAudio says so here
        anyio.run(talk_by_voice, device, real)
        return 0
    anyio.run(main, real, None, Path(out) if out else None)
    return 0

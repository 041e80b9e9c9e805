"""What the user says to ``rtagents run``, and what it keeps of the answer: lines (``--say``,
stdin), a WAV file (``--in``), the microphone (``--voice``), the agent's voice (``--out``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio

from ._cli_common import CliError

_TRAILING_SILENCE = bytes(2 * 24_000)  # a second after a file, so server VAD ends its turn


def device_id(text: str | None) -> int | str | None:
    return int(text) if text is not None and text.isdigit() else text


def read_input(path: str) -> bytes:
    from .audio import WavError, read_wav

    if not Path(path).is_file():
        raise CliError(f"no file {path!r}")
    try:
        pcm, _info = read_wav(path)
    except WavError as exc:
        raise CliError(str(exc)) from None
    return pcm


def local_voice(args: argparse.Namespace) -> Any:
    from .audio import AudioDeviceError, LocalVoice, SoundDevice

    try:
        device = SoundDevice(
            input=device_id(args.input_device), output=device_id(args.output_device)
        )
    except AudioDeviceError as exc:
        raise CliError(str(exc)) from None
    return LocalVoice(device, duplex=args.duplex or "half")


NO_SPEECH_S = 5.0
"""How long after a recording the server may take to find a turn in it before the command
says it heard none."""


def answer_turns(session: Any) -> None:
    """Turn detection that finds the user's turns but leaves the answer to the app
    (``create_response: false``, as an agent that confirms by voice has): the command is the
    app, and asks for an answer after each turn the server found (a Realtime session)."""

    async def committed(event: Any) -> None:
        audio_in = (session.config.get("audio") or {}).get("input") or {}
        detection = audio_in.get("turn_detection")
        if isinstance(detection, dict) and detection.get("create_response") is False:
            await session.create_response()

    session.on("input_audio_buffer.committed")(committed)


async def say_recording(session: Any, pcm: bytes) -> str | None:
    """Send a recording as a microphone would (as fast as the socket takes it), then wait
    for the answer to the last turn the server found in it (an earlier turn's answer may be
    cut short by the next turn). What to tell the user when there was nothing to answer
    (no speech heard), else ``None``."""
    from .audio.formats import Encoder, samples

    live = getattr(session, "api", "realtime") == "live"
    if not live:
        answer_turns(session)
    chunk = 24_000 * 2 // 50  # 20 ms
    encoder = Encoder(session.input_format)  # (a G.711 agent takes G.711)
    for start in range(0, len(pcm), chunk):
        await session.send_audio(encoder.encode(samples(pcm[start : start + chunk])))
    vad = live or ((session.config.get("audio") or {}).get("input") or {}).get("turn_detection")
    if vad:  # the server finds the turns: a second of silence ends the last
        for start in range(0, len(_TRAILING_SILENCE), chunk):
            silence = _TRAILING_SILENCE[start : start + chunk]
            await session.send_audio(encoder.encode(samples(silence)))
    if live:  # the Live model drives its turns: over once the session goes quiet
        await until_quiet(session)
        return None
    if not vad:  # no turn detection: the recording is one turn, committed here
        await session.commit_audio()  # (refused if too short: the answer comes all the same)
        await session.create_response()
    else:  # the server finds the turns: none within a while is none at all
        with anyio.move_on_after(NO_SPEECH_S) as heard_none:
            async for event in session:
                if event.type in ("input_audio_buffer.committed", "session.closed"):
                    break
            else:
                return None
        if heard_none.cancelled_caught:
            return "(no speech was heard in the recording: nothing to answer)"
    speaking = False  # a later turn under way: its answer is the one waited for
    async for event in session:
        if event.type == "input_audio_buffer.speech_started":
            speaking = True
        elif event.type == "input_audio_buffer.committed":
            speaking = False
        elif event.type == "session.closed":
            return None
        elif event.type == "response.done" and not speaking:
            # Over with an answer said, or cut short (incomplete, cancelled, failed); not by
            # a completed response that called a tool, nor one a later turn cut (server VAD:
            # ``turn_detected``): the answer waited for follows those.
            response, output = event.response, event.response.output or []
            details = response.status_details
            if response.status == "cancelled" and getattr(details, "reason", None) == (
                "turn_detected"
            ):
                continue
            if response.status != "completed" or (output and output[-1].type == "message"):
                return None
    return None


async def until_quiet(session: Any) -> bool:
    """Wait for the answers to what the user said (GPT-Live's turns are the model's): over
    once the session has been quiet a moment after an utterance (more may follow, a tool's
    answer). False when the session ended."""
    spoke = False
    while True:
        with anyio.move_on_after(0.5 if spoke else 15):
            async for event in session:
                if event.type == "session.closed":
                    return False
                if event.type == "session.usage.updated":
                    spoke = True  # an utterance ended; more may follow (a tool's answer)
                    break
            else:
                return False
            continue
        return True


def collect_voice(session: Any, heard: list[bytes]) -> None:
    """What ``--out`` keeps of the agent's voice, at 24 kHz, on either API (GPT-Live's is
    ``session.output_audio.delta``): G.711 deltas decoded as one stream (``Decoder``: no
    click at their edges), what the filter holds kept at each answer's end (GPT-Live's, at
    the session's: it has no such event)."""
    from .audio.formats import Decoder, delta_audio, reported_output_format

    decoders: list[Decoder] = []
    fmt = session.output_format  # then as the events told say (``reported_output_format``)

    def configured(event: Any) -> None:
        nonlocal fmt
        fmt = reported_output_format(event) or fmt

    def collect(event: Any) -> None:
        if not decoders or decoders[-1].fmt != fmt:
            if decoders:
                heard.append(decoders[-1].flush().tobytes())
            decoders[:] = [Decoder(fmt)]
        heard.append(decoders[-1].decode(delta_audio(event.delta)).tobytes())

    def done(event: Any) -> None:  # an answer's end: its last samples are its own
        if decoders:
            heard.append(decoders[-1].flush().tobytes())

    for kind in ("session.created", "session.updated", "session.started"):
        session.on(kind)(configured)
    session.on("response.output_audio.delta")(collect)
    session.on("session.output_audio.delta")(collect)
    session.on("response.done")(done)
    session.on("session.closed")(done)


class Terminal:
    """stdin, read by one thread of its own (the session goes on meanwhile: background work,
    pings, the emulator), a daemon: a line never typed keeps no exit waiting (Ctrl-C, the
    end). A line typed while an approval prompt waits is that prompt's answer; any other is
    what the user says. (Read by two, a prompt's ``y`` went to the agent as the user's
    words, and the prompt took the next line.)"""

    def __init__(self) -> None:
        self._typed: asyncio.Queue[str] | None = None
        self._asking: list[tuple[object, asyncio.Future[str | None]]] = []
        self._withdrawn: deque[object] = deque(maxlen=64)  # decided before they were asked

    def _read(self) -> asyncio.Queue[str]:
        if self._typed is None:
            loop, typed = asyncio.get_running_loop(), asyncio.Queue[str]()
            self._typed = typed

            def read() -> None:
                line = "-"
                while line:
                    try:
                        line = sys.stdin.readline()
                    except (OSError, ValueError):  # stdin closed under it: its end
                        line = ""
                    try:
                        loop.call_soon_threadsafe(self._heard, line)
                    except RuntimeError:  # the loop is over: nobody reads
                        return

            threading.Thread(target=read, name="rtagents-stdin", daemon=True).start()
        return self._typed

    def _heard(self, line: str) -> None:
        while self._asking:
            _, asked = self._asking.pop(0)
            if not asked.done():
                asked.set_result(line)
                if line:  # (the end answers every prompt, and is the user's end too)
                    return
        assert self._typed is not None
        self._typed.put_nowait(line)

    async def line(self) -> str:
        """What the user types next ("" at the end of stdin)."""
        return await self._read().get()

    async def ask(self, prompt: str, about: object = None) -> str | None:
        """``prompt``, and the line typed next: its answer ("" at the end of stdin); ``None``
        if it is ``withdraw``n first (what it asked ``about`` was decided meanwhile)."""
        if about is not None and about in self._withdrawn:
            return None
        self._read()
        print(prompt, end="", flush=True)
        asked: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._asking.append((about, asked))
        return await asked

    def withdraw(self, about: object) -> None:
        """The prompts asking ``about`` something decided meanwhile (an approval's timeout)
        answer ``None`` now: the line typed next is the user's, not theirs (and a prompt
        about it not yet asked is not asked)."""
        self._withdrawn.append(about)
        for entry in [e for e in self._asking if e[0] == about and not e[1].done()]:
            self._asking.remove(entry)
            entry[1].set_result(None)
            print(flush=True)  # (the transcript goes on below the prompt's line)


async def lines(say: list[str] | None, terminal: Terminal) -> AsyncIterator[str]:
    """The user's messages: the ``--say`` lines, else the lines typed on stdin."""
    for text in say or ():
        yield text
    if say:
        return
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("you> ", end="", flush=True)
        line = await terminal.line()
        if not line or line.strip() in ("exit", "quit"):
            return
        if line.strip():
            yield line.strip()

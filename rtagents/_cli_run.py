"""``rtagents run MODULE:AGENT``: talk to the user's agent by text (``--say``, stdin), by
audio files (``--in``/``--out``), or by voice (``--voice``: microphone and speaker)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import os
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

from ._cli_common import (
    CliError,
    add_emulator_key,
    import_user_module,
    module_and_name,
    wav_out,
)
from ._cli_talk import (
    Terminal,
    answer_turns,
    collect_voice,
    lines,
    local_voice,
    read_input,
    say_recording,
    until_quiet,
)
from ._redact import given_key


def load_agent(spec: str) -> Any:
    """``package.module:name`` or ``path/to/file.py:name`` -> the Agent it names (or that a
    no-argument factory returns)."""
    module_name, attr = module_and_name(
        spec, "MODULE:AGENT or FILE.py:AGENT (for example my_app.agents:concierge)"
    )
    from .agent import Agent

    module = import_user_module(module_name)
    try:
        value = getattr(module, attr)
    except AttributeError:
        found = sorted(name for name, v in vars(module).items() if isinstance(v, Agent))
        hint = f"; the Agents it has: {', '.join(found)}" if found else "; it has no Agent"
        raise CliError(f"{module_name!r} has no attribute {attr!r}{hint}") from None

    made = inspect.isfunction(value)
    if made:
        value = _made_by(spec, value)
    if not isinstance(value, Agent):
        what = type(value).__name__
        article = "an" if what[:1].lower() in "aeiou" else "a"
        verb = "is a function that returned" if made else "is"
        raise CliError(f"{spec} {verb} {article} {what}, not an rtagents.Agent")
    return value


def _made_by(spec: str, factory: Any) -> Any:
    """What a factory function (``def make_agent() -> Agent``, or ``async def``) makes."""
    extra = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)  # (may be none)
    needed = [
        p.name
        for p in inspect.signature(factory).parameters.values()
        if p.default is p.empty and p.kind not in extra
    ]
    if needed:
        raise CliError(
            f"{spec} is a function that takes arguments ({', '.join(needed)}); "
            "name an Agent, or a function of no arguments that returns one"
        )
    if inspect.iscoroutinefunction(factory):
        import anyio

        return anyio.run(factory)
    return factory()


def add_run_command(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="talk to an Agent defined in your own module",
        description="Connect the Agent named MODULE:AGENT (an rtagents.Agent, or a function "
        "returning one) and talk to it: each --say line in turn, lines typed on stdin, a WAV "
        "file (--in), or your voice (--voice). By default it runs against the embedded "
        "emulator; --url or --real reach a server.",
    )
    run.add_argument(
        "agent",
        metavar="MODULE:AGENT",
        help="for example my_app.agents:concierge, or path/to/agents.py:concierge",
    )
    where = run.add_mutually_exclusive_group()
    where.add_argument("--url", help="a Realtime websocket URL (an emulator elsewhere, a proxy)")
    add_emulator_key(run, "the key of the server at --url, if it needs one")
    where.add_argument(
        "--real", action="store_true", help="the OpenAI Realtime API (needs OPENAI_API_KEY)"
    )
    run.add_argument(
        "--api",
        choices=["realtime", "live"],
        default="realtime",
        help="which of OpenAI's voice APIs: the Realtime API or GPT-Live (default: %(default)s)",
    )
    talk = run.add_mutually_exclusive_group()
    talk.add_argument("--say", action="append", metavar="TEXT", help="a user message (repeatable)")
    talk.add_argument(
        "--in",
        dest="audio_in",
        metavar="FILE.wav",
        help="say this recording (PCM or G.711, any rate, channels and sample width; needs "
        "rtagents[audio] "
        "unless it is 24 kHz mono)",
    )
    talk.add_argument(
        "--voice",
        action="store_true",
        help="talk through the microphone and speaker (needs rtagents[voice] and PortAudio)",
    )
    run.add_argument(
        "--out",
        dest="audio_out",
        metavar="FILE.wav",
        type=wav_out,
        help="write the agent's voice to this file (24 kHz, 16-bit, mono)",
    )
    run.add_argument(
        "--hears",
        metavar="TEXT",
        help="offline only: what the emulator takes your audio to say (it has no speech "
        "recognition; the real model understands speech)",
    )
    run.add_argument(
        "--duplex",
        choices=["half", "full"],
        help="--voice: 'half' mutes the microphone while the agent speaks (speakers), 'full' "
        "lets you interrupt (headphones) (default: half)",
    )
    run.add_argument(
        "--input-device", metavar="ID", help="--voice: the microphone (name or number)"
    )
    run.add_argument("--output-device", metavar="ID", help="--voice: the speaker (name or number)")
    answer = run.add_mutually_exclusive_group()
    answer.add_argument(
        "--approve",
        action="store_true",
        help="approve the requests the agent's policy leaves to a person (for scripts); "
        "never one its rules or handler decide",
    )
    answer.add_argument(
        "--deny",
        action="store_true",
        help="deny the requests the agent's policy leaves to a person (for scripts)",
    )
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import anyio

    from .console import Transcript
    from .emulator import Emulator, RuleModel

    agent = load_agent(args.agent)
    if args.real and not given_key(os.environ.get("OPENAI_API_KEY")):
        raise CliError("--real needs an API key: set OPENAI_API_KEY (or leave --real out)")
    if args.api_key_given and not args.url:  # (never the key itself: it is a secret)
        instead = (
            "--real takes OpenAI's from OPENAI_API_KEY" if args.real else "the emulator needs none"
        )
        raise CliError(f"--api-key is the key of the server at --url: {instead}")
    if args.hears and (args.real or args.url):
        raise CliError("--hears is for the offline emulator; a real model hears the audio")
    # An option that would do nothing is said, not silently dropped.
    given = (("--input-device", args.input_device), ("--output-device", args.output_device))
    for_voice = [name for name, value in (*given, ("--duplex", args.duplex)) if value is not None]
    if for_voice and not args.voice:
        raise CliError(f"{', '.join(for_voice)}: for --voice (the microphone and speaker)")
    if args.hears and not (args.audio_in or args.voice):
        raise CliError("--hears says what your audio says: give --in FILE.wav or --voice")
    text_only = args.audio_out and list(agent.output_modalities or ["audio"]) == ["text"]
    if text_only:  # (its answers would have no voice to write)
        agent = agent.clone(output_modalities=["audio"])
    live = args.api == "live"
    if live and (args.real or args.url) and not (args.audio_in or args.voice):
        raise CliError(
            "GPT-Live has no text input: talk to it with --in FILE.wav or --voice "
            "(offline, the emulator takes each --say line as what you said)"
        )
    audio_in = read_input(args.audio_in) if args.audio_in else None
    voice = local_voice(args) if args.voice else None
    transcript, terminal = Transcript(), Terminal()
    if text_only:
        transcript.say(f"(--out: {agent.name} answers aloud, output_modalities=['audio'])")
    heard: list[bytes] = []
    heard_as: list[str] = []  # offline: what the emulator takes the user's audio to say
    ended: list[Any] = []  # the session's end (an error fails the command)
    sound = ["speech"]  # what the agent's voice is: offline, the emulator's may be tones

    async def talk(url: str | None) -> None:
        from .session import connect

        player = voice.player if voice is not None else None
        key = args.api_key if args.url else None  # (OPENAI_API_KEY goes to OpenAI only)
        async with connect(agent, url=url, api_key=key, player=player, api=args.api) as session:
            session.on("session.closed")(ended.append)
            transcript.output_format = session.output_format  # (its config events are past)
            session.on("*")(transcript)
            # Only what the agent's policy leaves to an outside answer reaches the terminal
            # or --approve/--deny: the CLI never decides what the policy decides.
            session.on("approval.awaiting")(_approver(args, session, transcript, terminal))
            session.on("approval.decided")(lambda event: terminal.withdraw(event.request.id))
            if args.audio_out:
                collect_voice(session, heard)
            if voice is not None:
                if session.api == "realtime":
                    answer_turns(session)
                transcript.say("(listening: speak; Ctrl-C ends)")
                await voice.run(session)
            elif audio_in is not None:
                said = await say_recording(session, audio_in)
                if said is not None:
                    transcript.say(said)
            else:
                reading = anyio.CancelScope()  # the session's end ends the prompt too
                session.on("session.closed")(lambda event: reading.cancel())
                with reading:
                    await _converse(session, lines(args.say, terminal))

    async def _converse(session: Any, lines: AsyncIterator[str]) -> None:
        async for text in lines:
            transcript.user(text)
            if live:  # no text input on GPT-Live: said aloud, heard as the text
                heard_as[:] = [text]
                if not await _say_aloud(session):
                    return
                continue
            events = await session.ask(text)
            if events and events[-1].type == "session.closed":
                return

    async def main() -> None:
        if args.real or args.url:
            await talk(args.url)
            return
        if args.hears:
            heard_as[:] = [args.hears]
        async with Emulator(
            model=RuleModel(),
            transcribe=(lambda pcm, ms: heard_as[0] if heard_as else "")
            if heard_as or live
            else None,
        ) as emu:
            sound[:] = ["speech" if emu.voice == "espeak" else "tones"]
            transcript.say(
                "(offline: the local emulator with its rule-based stand-in model; "
                "--real talks to the OpenAI Realtime API)"
            )
            if (audio_in is not None or voice is not None) and not args.hears:
                transcript.say(
                    "(the emulator has no speech recognition: --hears TEXT says what your "
                    "audio is taken to say)"
                )
            await talk(emu.live_url if live else emu.url)

    # Ctrl-C ends a voice chat; --out is kept. (On Python 3.10, anyio.run raises the main
    # task's CancelledError for it: its tasks cannot tell that cancel from another.)
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        anyio.run(main)
    if args.audio_out:
        from .audio import write_wav

        pcm = b"".join(heard)
        write_wav(args.audio_out, pcm)
        transcript.say(
            f"wrote {len(pcm) / 48_000:.2f} s of the agent's voice ({sound[0]}) to "
            f"{args.audio_out}"
            + (" (the emulator speaks in tones without espeak-ng)" if sound[0] == "tones" else "")
        )
    return 1 if ended and ended[-1].error else 0


async def _say_aloud(session: Any) -> bool:
    """Offline on GPT-Live, one user turn: a short utterance the emulator hears as the
    --say line, then the agent's answer, over once the session goes quiet. False when the
    session ended."""

    from .emulator import audio

    await session.send_audio(audio.tone(600).tobytes())
    await session.send_audio(audio.silence(400).tobytes())
    return await until_quiet(session)


def _approver(
    args: argparse.Namespace, session: Any, transcript: Any, terminal: Terminal
) -> Callable[[Any], Any]:
    async def answer(event: Any) -> None:
        request = event.request
        if args.approve or args.deny:
            yes = bool(args.approve)
            why = "declined: rtagents run --deny"
        elif sys.stdin.isatty():  # (with --voice too: the prompt reads the keyboard)
            reply = await terminal.ask(f"approve {request.describe()}? [y/N] ", request.id)
            if reply is None:
                return  # decided meanwhile (its timeout): nothing left to answer
            yes = reply.strip().lower() in ("y", "yes")
            why = "declined at the terminal"
        else:  # the policy asks someone, and no one is there: the safe answer, at once
            transcript.say("(no terminal to ask: denied; --approve allows)")
            yes = False
            why = "nobody was there to ask (no terminal)"
        if yes:
            await session.approve(request.id)
        else:
            await session.deny(request.id, why)

    return answer

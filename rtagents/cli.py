"""The ``rtagents`` command: ``demo`` and ``emulator`` here; ``run MODULE:AGENT`` in
``_cli_run``; ``serve`` and ``call`` in ``_cli_calls``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import ssl
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from ._cli_calls import add_calls_commands
from ._cli_common import CliError, add_emulator_key, port, wav_out
from ._cli_run import add_run_command
from ._extras import require
from ._redact import given_key
from .errors import RtagentsError, first_error


def _fault(text: str) -> Any:
    from .emulator.faults import parse_fault

    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_VOICES = {
    "espeak": "espeak-ng speech",
    "tones": "tones, a tone per character (install espeak-ng for speech)",
}


def _emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator

    # The address is printed once, below; the emulator's own log says only what goes wrong.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if (args.tls_cert is None) != (args.tls_key is None):
        print("rtagents emulator: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    tls: Any = (args.tls_cert, args.tls_key) if args.tls_cert else bool(args.tls)
    if args.webrtc:  # said now, not at the first browser's call
        require("webrtc", "aiortc", "WebRTC calls (--webrtc)")
    try:
        emu = Emulator(
            host=args.host,
            port=args.port,
            realtime=args.realtime,
            api_key=args.api_key,
            faults=args.fault or (),
            mcp_hosts=args.mcp_host,
            webhook_hosts=args.webhook_host,
            transcript_order=args.transcript_order,
            tls=tls,
            voice=args.voice,
        )
    except ValueError as exc:  # --voice espeak without espeak-ng
        print(f"rtagents emulator: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError, ssl.SSLError) as exc:
        print(f"rtagents emulator: cannot set up TLS: {exc}", file=sys.stderr)
        return 2

    async def serve() -> None:
        async with emu:  # (Ctrl-C: the clients still connected are closed, not cut off)
            # Two URLs on one port, and which goes where is the first thing a user needs.
            lines = [
                f"rtagents emulator listening on {emu.url}  (Ctrl-C stops it)",
                f"  websocket URL: {emu.url}  (rtagents.connect(url=...), run --url)",
                f"  REST base URL: {emu.http_url}  (CallServer(base_url=...), call --emulator)",
                f"  openai SDK:    AsyncOpenAI(base_url={emu.http_url!r})",
                f"  voice:         {_VOICES[emu.voice]}",
            ]
            if emu.certificate is not None:
                # (Python's clients, rtagents' among them, trust what OpenSSL's variable names)
                cert = emu.certificate
                lines.append(f"  Python:        SSL_CERT_FILE={cert} (rtagents run, call, connect)")
                lines.append(f"  TLS certificate to trust: {cert}")
            if args.webrtc:
                lines.append(f"  WebRTC calls:  POST {emu.http_url}/realtime/calls  (an SDP offer)")
            print("\n".join(lines), flush=True)
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(
            f"rtagents emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 2
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo.run import run

    if args.real and not given_key(os.environ.get("OPENAI_API_KEY")):  # (as ``run`` says)
        raise CliError("--real needs an API key: set OPENAI_API_KEY (or leave --real out)")
    if args.voice and args.out is not None:  # (an option that would do nothing is said)
        raise CliError("--out is for the scripted demo: with --voice, your speakers play it")
    return run(real=args.real, out=args.out, voice=args.voice)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtagents",
        description="Realtime voice agents on the OpenAI Realtime API.",
        epilog="Run 'rtagents COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"rtagents {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="run a demo voice agent against the local emulator (no API key needed)",
        description="A voice agent with function tools, an approval, a local MCP server and a "
        "hosted MCP server, talking to the embedded emulator. Prints a live transcript.",
    )
    demo.add_argument(
        "--real", action="store_true", help="use the OpenAI Realtime API (needs OPENAI_API_KEY)"
    )
    demo.add_argument(
        "--out",
        metavar="FILE.wav",
        type=wav_out,
        help="where to write the agent's voice (default: rtagents-demo.wav in the temp folder)",
    )
    demo.add_argument(
        "--voice",
        action="store_true",
        help="talk to the demo agent through the microphone and speaker (rtagents[voice])",
    )
    demo.set_defaults(handler=_demo)

    add_run_command(commands)
    add_calls_commands(commands)

    emu = commands.add_parser(
        "emulator",
        help="run the local Realtime emulator (no API key needed)",
        description="Serve the Realtime protocol locally, for developing and testing agents "
        "offline. It prints its two URLs: the websocket one for rtagents.connect(url=...) "
        "and the REST base URL (http://HOST:PORT/v1) for CallServer(base_url=...), "
        "'rtagents call --emulator' and the openai SDK's base_url.",
    )
    emu.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)"
    )
    emu.add_argument(
        "--port",
        type=port,
        default=8765,
        help="port to listen on, 0 for any (default: %(default)s)",
    )
    emu.add_argument("--realtime", action="store_true", help="pace audio output at real time")
    add_emulator_key(emu, "refuse every request without this key, as the real server does")
    emu.add_argument(
        "--fault",
        action="append",
        type=_fault,
        metavar="KIND:KEY=VALUE,...",
        help="inject a fault into every connection (repeatable): drop:after=response.done,"
        "code=1011 | drop:at_s=5,reset=true | expire:at_s=60 | error:to=response.create,"
        "code=server_error | latency:ms=50,jitter_ms=20 | race:nth=1",
    )
    emu.add_argument(
        "--mcp-host",
        action="append",
        metavar="HOST",
        help="a host (glob) whose hosted MCP server_url may be fetched (repeatable; default: "
        "any when listening on loopback, none otherwise)",
    )
    emu.add_argument(
        "--webhook-host",
        action="append",
        metavar="HOST",
        help="a host (glob) a call placed over HTTP may post its webhook to (repeatable; "
        "default: any when listening on loopback, none otherwise)",
    )
    emu.add_argument(
        "--tls",
        action="store_true",
        help="listen with TLS (wss://), for clients that insist on it: a self-signed "
        "certificate unless --tls-cert and --tls-key are given",
    )
    emu.add_argument("--tls-cert", metavar="FILE", help="the certificate (PEM) for --tls")
    emu.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    emu.add_argument(
        "--webrtc",
        action="store_true",
        help="check that browsers' WebRTC calls can be answered (needs rtagents[webrtc]) "
        "and print where they post their offer",
    )
    emu.add_argument(
        "--transcript-order",
        choices=["random", "before", "after"],
        default="random",
        help="whether an input transcript comes before or after the response.created of the "
        "response its turn starts (default: %(default)s, as the real server varies)",
    )
    emu.add_argument(
        "--voice",
        choices=["auto", "espeak", "tones"],
        default="auto",
        help="what speaks the model's words: espeak-ng, tones (a tone per character), or "
        "auto: espeak-ng when it is installed, else tones (default: %(default)s)",
    )
    emu.set_defaults(handler=_emulator)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except (CliError, RtagentsError) as exc:
        print(f"rtagents {args.command}: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C (3.10: anyio.run's cancel)
        return 130
    except Exception as exc:  # a task group's (an ExceptionGroup): our error in it is one line
        inner = first_error(exc)
        if inner is exc or not isinstance(inner, (CliError, RtagentsError)):
            raise
        print(f"rtagents {args.command}: {inner}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())

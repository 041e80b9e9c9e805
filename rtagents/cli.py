"""The ``rtagents`` command: ``demo``, ``emulator`` and ``run module:agent`` here; ``serve``
and ``call`` in ``_cli_calls``."""

from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import os
import ssl
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from . import __version__
from ._cli_calls import add_calls_commands
from ._cli_common import CliError, import_user_module, port
from .errors import RtagentsError


def _fault(text: str) -> Any:
    from .emulator.faults import parse_fault

    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator

    # The address is printed once, below; the emulator's own log says only what goes wrong.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if (args.tls_cert is None) != (args.tls_key is None):
        print("rtagents emulator: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    tls: Any = (args.tls_cert, args.tls_key) if args.tls_cert else bool(args.tls)
    try:
        emu = Emulator(
            host=args.host,
            port=args.port,
            realtime=args.realtime,
            api_key=args.api_key,
            faults=args.fault or (),
            mcp_hosts=args.mcp_host,
            transcript_order=args.transcript_order,
            tls=tls,
        )
    except (OSError, RuntimeError, ssl.SSLError) as exc:
        print(f"rtagents emulator: cannot set up TLS: {exc}", file=sys.stderr)
        return 2

    async def serve() -> None:
        await emu.start()
        print(f"rtagents emulator listening on {emu.url}  (Ctrl-C stops it)", flush=True)
        if emu.certificate is not None:
            print(f"  TLS certificate to trust: {emu.certificate}", flush=True)
        print(f"  openai SDK: AsyncOpenAI(websocket_base_url={emu.base_url!r})", flush=True)
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

    return run(real=args.real, out=args.out)


def load_agent(spec: str) -> Any:
    """``package.module:name`` or ``path/to/file.py:name`` -> the Agent it names (or that a
    no-argument factory returns)."""
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise CliError(
            f"expected MODULE:AGENT or FILE.py:AGENT (for example my_app.agents:concierge), "
            f"not {spec!r}"
        )
    from .agent import Agent

    module = import_user_module(module_name)
    try:
        value = getattr(module, attr)
    except AttributeError:
        found = sorted(name for name, v in vars(module).items() if isinstance(v, Agent))
        hint = f"; the Agents it has: {', '.join(found)}" if found else "; it has no Agent"
        raise CliError(f"{module_name!r} has no attribute {attr!r}{hint}") from None

    if inspect.isfunction(value) and not any(
        p.default is p.empty for p in inspect.signature(value).parameters.values()
    ):
        value = value()  # a factory: def make_agent() -> Agent
    if not isinstance(value, Agent):
        raise CliError(f"{spec} is a {type(value).__name__}, not an rtagents.Agent")
    return value


def _run(args: argparse.Namespace) -> int:
    import anyio
    import anyio.to_thread

    from .console import Transcript
    from .emulator import Emulator, RuleModel
    from .session import connect

    agent = load_agent(args.agent)
    if args.real and not os.environ.get("OPENAI_API_KEY"):
        raise CliError("--real needs an API key: set OPENAI_API_KEY (or leave --real out)")
    transcript = Transcript()

    async def talk(url: str | None) -> None:
        async with connect(agent, url=url) as session:
            session.on("*")(transcript)

            @session.on("approval.requested")
            async def answer(event: Any) -> None:
                request = event.request
                if args.approve or args.deny:
                    yes = bool(args.approve)
                elif sys.stdin.isatty():
                    prompt = f"approve {request.describe()}? [y/N] "
                    reply = await anyio.to_thread.run_sync(input, prompt)
                    yes = reply.strip().lower() in ("y", "yes")
                else:  # no one to ask: the safe answer, at once
                    transcript.say("(no terminal to ask: denied; --approve allows)")
                    yes = False
                if yes:
                    await session.approve(request.id)
                else:
                    await session.deny(request.id, "declined at the terminal")

            lines = args.say or _stdin_lines()
            for text in lines:
                transcript.user(text)
                events = await session.ask(text)
                if events and events[-1].type == "session.closed":
                    return

    async def main() -> None:
        if args.real or args.url:
            await talk(args.url)
        else:
            async with Emulator(model=RuleModel()) as emu:
                transcript.say(
                    "(offline: the local emulator with its rule-based stand-in model; "
                    "--real talks to the OpenAI Realtime API)"
                )
                await talk(emu.url)

    anyio.run(main)
    return 0


def _stdin_lines() -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("you> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line or line.strip() in ("exit", "quit"):
            return
        if line.strip():
            yield line.strip()


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
        help="where to write the agent's voice (default: rtagents-demo.wav in the temp folder)",
    )
    demo.set_defaults(handler=_demo)

    run = commands.add_parser(
        "run",
        help="talk to an Agent defined in your own module",
        description="Connect the Agent named MODULE:AGENT (an rtagents.Agent, or a function "
        "returning one) and talk to it: each --say line in turn, or lines typed on stdin. "
        "By default it runs against the embedded emulator; --url or --real reach a server.",
    )
    run.add_argument(
        "agent",
        metavar="MODULE:AGENT",
        help="for example my_app.agents:concierge, or path/to/agents.py:concierge",
    )
    where = run.add_mutually_exclusive_group()
    where.add_argument("--url", help="a Realtime websocket URL (an emulator elsewhere, a proxy)")
    where.add_argument(
        "--real", action="store_true", help="the OpenAI Realtime API (needs OPENAI_API_KEY)"
    )
    run.add_argument("--say", action="append", metavar="TEXT", help="a user message (repeatable)")
    answer = run.add_mutually_exclusive_group()
    answer.add_argument(
        "--approve", action="store_true", help="approve every approval request (for scripts)"
    )
    answer.add_argument(
        "--deny", action="store_true", help="deny every approval request (for scripts)"
    )
    run.set_defaults(handler=_run)

    add_calls_commands(commands)

    emu = commands.add_parser(
        "emulator",
        help="run the local Realtime emulator (no API key needed)",
        description="Serve the Realtime protocol locally, for developing and testing agents "
        "offline. Point rtagents.connect(url=...) or the openai SDK at the URL it prints.",
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
    emu.add_argument(
        "--api-key",
        metavar="KEY",
        default=os.environ.get("RTAGENTS_EMULATOR_API_KEY"),
        help="refuse connections without this key, as the real server does (default: any key; "
        "also RTAGENTS_EMULATOR_API_KEY)",
    )
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
        "--tls",
        action="store_true",
        help="listen with TLS (wss://), for clients that insist on it: a self-signed "
        "certificate unless --tls-cert and --tls-key are given",
    )
    emu.add_argument("--tls-cert", metavar="FILE", help="the certificate (PEM) for --tls")
    emu.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    emu.add_argument(
        "--transcript-order",
        choices=["random", "before", "after"],
        default="random",
        help="whether an input transcript comes before or after the response.created of the "
        "response its turn starts (default: %(default)s, as the real server varies)",
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
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())

"""The ``rtagents`` command: ``demo``, ``emulator`` and ``run module:agent``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from .errors import RtagentsError


def _emulator(args: argparse.Namespace) -> int:
    from .emulator import Emulator

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    emu = Emulator(host=args.host, port=args.port, realtime=args.realtime)

    async def serve() -> None:
        await emu.start()
        print(f"rtagents emulator listening on {emu.url}  (Ctrl-C stops it)", flush=True)
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

    return run(real=args.real)


def load_agent(spec: str) -> Any:
    """``package.module:name`` -> the Agent it names (or that a no-argument factory returns)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise CliError(f"expected MODULE:AGENT (for example my_app.agents:concierge), not {spec!r}")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise CliError(f"cannot import {module_name!r}: {exc}") from None
    try:
        value = getattr(module, attr)
    except AttributeError:
        raise CliError(f"{module_name!r} has no attribute {attr!r}") from None
    from .agent import Agent

    if inspect.isfunction(value) and not any(
        p.default is p.empty for p in inspect.signature(value).parameters.values()
    ):
        value = value()  # a factory: def make_agent() -> Agent
    if not isinstance(value, Agent):
        raise CliError(f"{spec} is a {type(value).__name__}, not an rtagents.Agent")
    return value


class CliError(Exception):
    """A mistake on the command line: printed without a traceback."""


def _run(args: argparse.Namespace) -> int:
    import anyio

    from .console import Transcript
    from .emulator import Emulator, RuleModel
    from .session import connect

    agent = load_agent(args.agent)
    transcript = Transcript()

    async def talk(url: str | None) -> None:
        async with connect(agent, url=url) as session:
            session.on("*")(transcript)
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
    demo.set_defaults(handler=_demo)

    run = commands.add_parser(
        "run",
        help="talk to an Agent defined in your own module",
        description="Connect the Agent named MODULE:AGENT (an rtagents.Agent, or a function "
        "returning one) and talk to it: each --say line in turn, or lines typed on stdin. "
        "By default it runs against the embedded emulator; --url or --real reach a server.",
    )
    run.add_argument("agent", metavar="MODULE:AGENT", help="for example my_app.agents:concierge")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--url", help="a Realtime websocket URL (an emulator elsewhere, a proxy)")
    where.add_argument(
        "--real", action="store_true", help="the OpenAI Realtime API (needs OPENAI_API_KEY)"
    )
    run.add_argument("--say", action="append", metavar="TEXT", help="a user message (repeatable)")
    run.set_defaults(handler=_run)

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
        "--port", type=int, default=8765, help="port to listen on, 0 for any (default: %(default)s)"
    )
    emu.add_argument("--realtime", action="store_true", help="pace audio output at real time")
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

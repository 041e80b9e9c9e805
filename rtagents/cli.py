"""The ``rtagents`` command: ``demo``, ``emulator`` and ``run module:agent``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtagents",
        description="Realtime voice agents on the OpenAI Realtime API.",
        epilog="Run 'rtagents COMMAND --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())

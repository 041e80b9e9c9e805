"""The calls commands: ``rtagents serve MODULE:APP`` and ``rtagents call``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from ._cli_common import CliError, import_user_module, port


def _serve(args: argparse.Namespace) -> int:
    """``rtagents serve MODULE:APP``: an ASGI app (a ``CallServer``) under uvicorn."""
    import uvicorn

    module_name, _, attr = args.app.partition(":")
    if not attr:
        raise CliError(f"{args.app!r}: use MODULE:APP (my_app:app, or path/to/app.py:app)")
    module = import_user_module(module_name)
    app = getattr(module, attr, None)
    if app is None or not callable(app):
        raise CliError(f"{module_name!r} has no ASGI app {attr!r}")
    from ._asgi import DrainingServer

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(app, host=args.host, port=args.port, log_config=None, access_log=False)
    DrainingServer(config, app).run()  # SIGTERM drains the calls before exiting
    return 0


def _call(args: argparse.Namespace) -> int:
    """``rtagents call``: place a simulated phone call on a running emulator."""
    import httpx2

    body = {
        "webhook_url": args.webhook,
        "webhook_secret": args.secret,
        "from": args.caller,
        "to": args.callee,
        "say": args.say or [],
    }
    base = args.emulator.rstrip("/")
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    try:
        reply = httpx2.post(f"{base}/emulator/calls", json=body, headers=headers, timeout=10)
    except httpx2.HTTPError as exc:
        raise CliError(f"cannot reach the emulator at {base}: {exc}") from None
    if reply.status_code != 200:
        raise CliError(f"the emulator refused the call: HTTP {reply.status_code} {reply.text}")
    call_id = reply.json()["call_id"]
    print(call_id)
    print(f"  its record: GET {base}/emulator/calls/{call_id}", file=sys.stderr)
    return 0


def add_calls_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a CallServer (or any ASGI app) for phone and browser calls",
        description="Run MODULE:APP under uvicorn: a rtagents.calls.CallServer that takes "
        "OpenAI's call webhooks and runs the agent on each call.",
    )
    serve.add_argument("app", metavar="MODULE:APP", help="my_app:app, or path/to/app.py:app")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: %(default)s)")
    serve.add_argument("--port", type=port, default=8000, help="port (default: %(default)s)")
    serve.set_defaults(handler=_serve)

    call = commands.add_parser(
        "call",
        help="place a simulated phone call on a running emulator",
        description="The emulator posts a signed realtime.call.incoming webhook to --webhook; "
        "once the call is accepted, the caller says each --say line as a user turn.",
    )
    call.add_argument("--webhook", required=True, help="the CallServer's /openai/webhook URL")
    call.add_argument(
        "--secret",
        default=os.environ.get("OPENAI_WEBHOOK_SECRET"),
        required="OPENAI_WEBHOOK_SECRET" not in os.environ,
        help="the webhook signing secret, whsec_... (default: OPENAI_WEBHOOK_SECRET)",
    )
    call.add_argument("--say", action="append", metavar="LINE", help="what the caller says")
    call.add_argument("--from", dest="caller", default="+15550100", help="the caller's number")
    call.add_argument("--to", dest="callee", default="+15550199", help="the number called")
    call.add_argument(
        "--emulator",
        default="http://127.0.0.1:8765/v1",
        help="the emulator's REST base URL (default: %(default)s)",
    )
    call.add_argument(
        "--api-key",
        metavar="KEY",
        default=os.environ.get("RTAGENTS_EMULATOR_API_KEY"),
        help="the key the emulator was started with, if any (default: "
        "RTAGENTS_EMULATOR_API_KEY, as for 'rtagents emulator')",
    )
    call.set_defaults(handler=_call)

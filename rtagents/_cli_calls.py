"""The calls commands: ``rtagents serve MODULE:APP`` and ``rtagents call``."""

from __future__ import annotations

import argparse
import logging
import os
import ssl
import sys
import time
from typing import Any

from ._cli_common import (
    CliError,
    add_emulator_key,
    import_user_module,
    module_and_name,
    port,
)
from ._hosts import direct
from ._redact import redact, redact_url, register_url_secrets, url_parts

_OVER = ("rejected", "referred", "ended")
_QUIET_S = 1.0  # a caller who has heard every answer waits this long for more, then hangs up
_STILL = {
    "ringing": " (is the app at --webhook running, and does it accept the call?)",
    "accepted": " (the agent had not answered every line; the caller hung up)",
}


def _seconds(text: str) -> float:
    """``--timeout``: a positive, finite number of seconds (``nan`` would wait for ever)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a time: use a positive number of seconds")
    return seconds


def _refreeze_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    # Each refreeze is a collection of what was made since the last: every second at most.
    if not 1 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text} is not a time: use a number of seconds, 1 or more"
        )
    return seconds


def _serve(args: argparse.Namespace) -> int:
    """``rtagents serve MODULE:APP``: an ASGI app (a ``CallServer``) under uvicorn."""
    import uvicorn

    module_name, attr = module_and_name(
        args.app, "MODULE:APP or FILE.py:APP (for example my_app:app, or path/to/app.py:app)"
    )
    module = import_user_module(module_name)
    app = getattr(module, attr, None)
    if app is None or not callable(app):
        raise CliError(f"{module_name!r} has no ASGI app {attr!r}")
    from ._asgi import DrainingServer, freeze_heap

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(app, host=args.host, port=args.port, log_config=None, access_log=False)
    # This process is the app's: what the imports and the app made (most of the heap until
    # the calls come) is frozen, so that no full collection scans it again (#36).
    freeze_heap()
    server = DrainingServer(config, app, refreeze_s=args.refreeze)
    server.run()  # SIGTERM drains the calls before exiting
    return 0


def _check_base(base: str, shown: str) -> None:
    """``--emulator`` is an http(s) URL with a host (and a port that is one), or a
    ``CliError`` saying so: never httpx's error from inside the first request."""
    try:
        parts = url_parts(base)
        host = parts.hostname
    except ValueError as exc:
        raise CliError(f"--emulator: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise CliError(
            f"--emulator: {shown} is not an http:// or https:// URL with a host "
            "(the emulator's REST base, e.g. http://127.0.0.1:8765/v1)"
        )


def _call(args: argparse.Namespace) -> int:
    """``rtagents call``: place a simulated phone call on a running emulator and, unless
    ``--no-wait``, follow it to its end and print how it went."""
    import httpx2

    from .emulator.signing import signing_key

    if not args.secret:
        raise CliError(
            "no webhook secret: give --secret whsec_... or set OPENAI_WEBHOOK_SECRET (the "
            "secret your CallServer verifies webhooks with)"
        )
    try:
        signing_key(args.secret)
    except ValueError as exc:
        raise CliError(f"--secret: {exc}") from None
    body = {
        "webhook_url": args.webhook,
        "webhook_secret": args.secret,
        "from": args.caller,
        "to": args.callee,
        "say": args.say or [],
    }
    base = args.emulator.rstrip("/")
    shown = redact_url(base)  # (a password, a token in its query: never printed)
    register_url_secrets(base)  # (nor in what a failed request says)
    _check_base(base, shown)
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    with httpx2.Client(base_url=base, headers=headers, timeout=10, mounts=direct(base)) as http:
        try:
            reply = http.post("/emulator/calls", json=body)
        except httpx2.ConnectError as exc:  # nothing there: never a connection that was lost
            if _untrusted(exc):
                raise CliError(
                    f"the emulator at {shown} has a certificate this machine does not trust: "
                    "set SSL_CERT_FILE to the one `rtagents emulator --tls` printed"
                ) from None
            raise CliError(
                f"cannot connect to the emulator at {shown} ({redact(str(exc))}): is "
                "`rtagents emulator` running there? (--emulator gives its REST base URL)"
            ) from None
        try:
            if reply.status_code != 200:
                refused = f"HTTP {reply.status_code} {reply.text}"
                raise CliError(f"the emulator refused the call: {refused}")
            call_id = reply.json()["call_id"]
            print(call_id, flush=True)
            if args.no_wait:
                print(f"  its record: GET {shown}/emulator/calls/{call_id}", file=sys.stderr)
                return 0
            record, failure = _follow(http, call_id, len(args.say or []), args)
            report = _report(record)
        except httpx2.HTTPError as exc:
            raise CliError(f"lost the emulator at {shown}: {redact(str(exc))}") from None
        except (ValueError, LookupError, TypeError, AttributeError):  # (not its JSON, or not
            raise CliError(  # the records it keeps: a web page, another app's port)
                f"{shown} did not answer as the emulator does: is --emulator the REST base "
                "URL `rtagents emulator` printed?"
            ) from None
    print(report, flush=True)
    if failure is not None:
        print(f"rtagents call: {failure}", file=sys.stderr)
        return 1
    return 0


def _follow(
    http: Any, call_id: str, lines: int, args: argparse.Namespace
) -> tuple[dict[str, Any], str | None]:
    """Poll the call's record until it is over or ``--timeout`` passes: its last record, and
    what went wrong if anything did. The caller hangs up, as a person would, once the agent
    answered its last line and has been quiet for a moment."""
    deadline = time.monotonic() + args.timeout
    seen: dict[str, Any] = {}
    quiet_since = time.monotonic()
    while True:
        record: dict[str, Any] = http.get(f"/emulator/calls/{call_id}").raise_for_status().json()
        status = record["status"]
        if status in _OVER:
            return record, None
        failure = _webhook_failure(record, args.webhook)
        if failure is not None:
            return record, failure
        now = time.monotonic()
        if record != seen:
            seen, quiet_since = record, now
        elif status == "accepted" and _answered(record, lines) and now - quiet_since >= _QUIET_S:
            http.post(f"/realtime/calls/{call_id}/hangup").raise_for_status()
            continue
        if now >= deadline:
            if status == "accepted":  # the caller gives up: the call does not stay open
                http.post(f"/realtime/calls/{call_id}/hangup").raise_for_status()
            hint = _STILL.get(status, "")
            return record, f"the call was still {status} after {args.timeout:g} s{hint}"
        time.sleep(0.1)


def _answered(record: dict[str, Any], lines: int) -> bool:
    """The caller said every line, the agent answered the last, and no tool is still running."""
    transcript = record["transcript"]
    said = sum(entry["role"] == "user" for entry in transcript)
    last_answered = lines == 0 or (transcript and transcript[-1]["role"] == "assistant")
    running = any(call["output"] is None for call in record["tool_calls"])
    return said >= lines and bool(last_answered) and not running


def _webhook_failure(record: dict[str, Any], url: str) -> str | None:
    """Why the call will ring forever: its webhook was not delivered, or was refused."""
    webhook = record.get("webhook") or {}
    url = redact_url(url)  # its token stays off the terminal
    if "error" in webhook:
        return f"the webhook could not be delivered to {url}: {webhook['error']}"
    status = webhook.get("status")
    if status is None or 200 <= status < 300 or record["status"] != "ringing":
        return None
    hint = " (does --secret match the app's webhook secret?)" if status in (400, 401) else ""
    return f"the app at {url} answered the webhook with HTTP {status}{hint}"


def _report(record: dict[str, Any]) -> str:
    """The call's outcome, its transcript and its tool calls, for a person to read."""
    status = record["status"]
    if status == "rejected" and record.get("sip_status"):
        status += f" (SIP {record['sip_status']})"
    elif status == "referred":
        status += f" to {record.get('refer_to')}"
    out = [f"status: {status}"]
    if record["transcript"]:
        out.append("transcript:")
        for entry in record["transcript"]:
            who = "caller" if entry["role"] == "user" else "agent"
            out.append(f"  {who}: {entry['text']}")
    if record["tool_calls"]:
        out.append("tool calls:")
        for call in record["tool_calls"]:
            result = "(no output)" if call["output"] is None else call["output"]
            out.append(f"  {call['name']}({call['arguments']}) -> {result}")
    return "\n".join(out)


def add_calls_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a CallServer (or any ASGI app) for phone and browser calls",
        description="Run MODULE:APP under uvicorn: a rtagents.calls.CallServer that takes "
        "OpenAI's call webhooks and runs the agent on each call. SIGTERM (or Ctrl-C) drains "
        "the calls before exiting; a second one exits at once.",
    )
    serve.add_argument("app", metavar="MODULE:APP", help="my_app:app, or path/to/app.py:app")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: %(default)s)")
    serve.add_argument("--port", type=port, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--refreeze",
        type=_refreeze_seconds,
        default=None,
        metavar="SECONDS",
        help="collect and freeze the heap again every SECONDS (1 or more; a few minutes is "
        "usual), so that the sessions opened since leave every full garbage collection "
        "(what is frozen in a reference cycle is kept for good; see docs/deployment.md)",
    )
    serve.set_defaults(handler=_serve)

    call = commands.add_parser(
        "call",
        help="place a simulated phone call on a running emulator",
        description="The emulator posts a signed realtime.call.incoming webhook to --webhook; "
        "once the call is accepted, the caller says each --say line as a user turn, and hangs "
        "up after the agent's last answer. Prints the call id, then the outcome: status, "
        "transcript and tool calls.",
    )
    call.add_argument("--webhook", required=True, help="the CallServer's /openai/webhook URL")
    call.add_argument(
        "--secret",
        default=os.environ.get("OPENAI_WEBHOOK_SECRET"),
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
    add_emulator_key(call, "the key the emulator was started with, if any")
    call.add_argument(
        "--timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to follow the call before giving up (default: %(default)g)",
    )
    call.add_argument(
        "--no-wait",
        action="store_true",
        help="print the call id and return at once, leaving the call to run",
    )
    call.set_defaults(handler=_call)


def _untrusted(exc: BaseException) -> bool:
    """Whether a connection failed on a certificate it could not verify (somewhere in the
    chain httpx raises: its own error wraps the ``ssl`` one)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)

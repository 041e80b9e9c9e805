"""``POST /openai/webhook``: OpenAI's incoming-call webhooks (a Realtime SIP call, a GPT-Live
one), verified, each delivery handled once and each call claimed once across replicas, then
rung through the call lifecycle. Answered at once: the call's work goes on after."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._asgi import UnreadBody, read_body
from ..errors import root_cause
from .control import IncomingCall
from .inbound import check_call_id, check_session_id, sip_headers
from .lifecycle import CallLifecycle
from .registry import ClaimPending
from .sideband import Reach
from .webhooks import WebhookError, WebhookVerifier

log = logging.getLogger("rtagents.calls")

WEBHOOK_BODY_LIMIT = 1024 * 1024  # an event is a few KB; a bigger body is refused unread
LIVE_CALL_EVENTS = ("live.transport.incoming", "live.call.incoming")  # the older name last


class SipWebhooks:
    """The webhook route of a ``CallServer``."""

    def __init__(self, verifier: WebhookVerifier, lifecycle: CallLifecycle, reach: Reach) -> None:
        self._verifier = verifier
        self._lifecycle = lifecycle
        self._reach = reach
        self.claiming: set[str] = set()  # webhook and call ids whose claim is under way

    async def handle(self, request: Request) -> Response:
        """The route's endpoint: one delivery, answered at once."""
        try:
            event = self._verifier.verify(
                await read_body(request, WEBHOOK_BODY_LIMIT), request.headers
            )
            data = event.get("data") or {}
            kind = event.get("type")
            if kind == "realtime.call.incoming":
                # Before the delivery is marked seen: a retry is judged again.
                check_call_id(data.get("call_id") if isinstance(data, dict) else None)
            elif kind in LIVE_CALL_EVENTS:
                check_session_id(data.get("session_id") if isinstance(data, dict) else None)
        except UnreadBody as exc:
            log.warning("webhook rejected: %s", exc)
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except WebhookError as exc:
            log.warning("%s", exc)
            return JSONResponse({"error": str(exc)}, status_code=400)
        except ValueError as exc:
            # Signed, but no call id to use: a 400 (not an ignored 200) shows in OpenAI's
            # webhook dashboard, and nothing is requested with the key.
            log.warning("webhook rejected: its call_id: %s", exc)
            return JSONResponse({"error": f"webhook rejected: its call_id: {exc}"}, 400)
        lifecycle = self._lifecycle
        if not lifecycle.taking_calls:  # not marked seen: a retry is handled elsewhere
            return JSONResponse({"error": "the server is not taking calls"}, status_code=503)
        live = kind in LIVE_CALL_EVENTS
        ours = kind == "realtime.call.incoming" or live
        call = (
            IncomingCall(data["session_id" if live else "call_id"], sip_headers(data))
            if ours
            else None
        )
        webhook_id = request.headers.get("webhook-id", "")
        # A retry that comes while its first delivery is still being claimed is told to come
        # again, not "duplicate": should that claim fail, the retry is what takes the call.
        if webhook_id in self.claiming or (call is not None and call.call_id in self.claiming):
            return _being_taken()
        if not self._verifier.first_time(webhook_id):
            return JSONResponse({"status": "duplicate"})
        if call is None or call.call_id in lifecycle.calls:
            return JSONResponse({"status": "ignored"})
        self.claiming.update((webhook_id, call.call_id))
        try:  # (a claim that may have been made all the same is given back: see claim_within)
            claimed = await lifecycle.claim(call.call_id)
        except Exception as exc:  # the registry is away or slow: OpenAI retries, maybe elsewhere
            self._verifier.forget(webhook_id)
            if isinstance(exc, ClaimPending):  # another replica's claim: as for ours above
                return _being_taken()
            log.warning("claiming call %s failed: %s", call.call_id, root_cause(exc) or "timeout")
            return JSONResponse({"error": "the call registry is unavailable"}, status_code=503)
        finally:
            self.claiming.difference_update((webhook_id, call.call_id))
        if not claimed:  # another replica took it (a retried or doubled delivery)
            return JSONResponse({"status": "duplicate"})
        lifecycle.start(call, self._reach.call(call, live=live, ringing=True))
        return JSONResponse({"status": "accepted"})  # answered fast: the work goes on after


def _being_taken() -> Response:
    """A retry while its call's claim is under way: 409, so that OpenAI tries again."""
    return JSONResponse({"error": "this call is being taken; retry"}, status_code=409)

"""OpenAI's webhooks, verified: the Standard Webhooks scheme (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``; HMAC-SHA256; five minutes of tolerance), checked
by the ``standardwebhooks`` library, and each delivery handled once."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from .._extras import require
from .._redact import register_secret
from .._webhook_key import webhook_key
from ..errors import RtagentsError


class WebhookError(RtagentsError):
    """A webhook that is not OpenAI's (a bad or missing signature, a stale timestamp)."""


class WebhookVerifier:
    """Verifies deliveries with ``secret`` (``whsec_...``) and remembers the latest
    ``remember`` ids, so that a delivery retried is recognised."""

    def __init__(self, secret: str, *, remember: int = 10_000) -> None:
        self._library = require("calls", "standardwebhooks.webhooks", "CallServer")
        if isinstance(secret, str):
            register_secret(secret.strip())
        self._webhook = self._library.Webhook(webhook_key(secret))  # (checked: said now)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    def verify(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The event, or ``WebhookError`` saying why not (whatever the body and headers)."""
        wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
        picked = {name: headers.get(name, "") for name in wanted}
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookError("webhook rejected: the body is not UTF-8") from None
        try:
            self._webhook.verify(text, picked, json_parse=False)
        except self._library.WebhookVerificationError as exc:
            raise WebhookError(f"webhook rejected: {exc}") from None
        except ValueError:  # the library unpacks and decodes the header as it finds it
            raise WebhookError("webhook rejected: a malformed webhook-signature header") from None
        try:  # signed, so OpenAI's: a body that is not an event is still refused, not a 500
            event = json.loads(text)
        except (ValueError, RecursionError):
            raise WebhookError("webhook rejected: the body is not JSON") from None
        if not isinstance(event, dict):
            raise WebhookError("webhook rejected: the body is not a JSON object")
        return event

    def first_time(self, webhook_id: str) -> bool:
        """False when this delivery was handled already (OpenAI retries until it gets 2xx)."""
        if webhook_id in self._seen:
            return False
        self._seen[webhook_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True

    def forget(self, webhook_id: str) -> None:
        """The delivery could not be handled after all: its retry must be."""
        self._seen.pop(webhook_id, None)

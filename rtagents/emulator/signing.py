"""Webhook signatures, as OpenAI signs its webhooks (the Standard Webhooks scheme): the
emulator signs the calls' webhooks with them, and ``rtagents emulator`` checks a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

from .._webhook_key import webhook_key as signing_key

__all__ = ["sign", "signing_key"]


def sign(secret: str, webhook_id: str, timestamp: str, body: str) -> str:
    """A Standard Webhooks signature, as OpenAI signs: HMAC-SHA256 with the secret's key
    (base64 after ``whsec_``) over ``id.timestamp.body``. Written here from the scheme, so
    that the library a CallServer verifies with is checked against an independent signer."""
    key = signing_key(secret)
    content = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()

"""The key a webhook secret holds, as OpenAI shows the secret (``whsec_`` and base64): one
rule for the calls server that verifies webhooks and the emulator that signs them."""

from __future__ import annotations

import base64


def webhook_key(secret: str) -> bytes:
    """The key in ``secret``: base64 after ``whsec_`` (the prefix may be left out). Anything
    else is a ``ValueError`` that says so (and never repeats the secret): taken as it is,
    such a secret would make a key no webhook is signed with, and every delivery fail."""
    try:
        key = base64.b64decode(secret.strip().removeprefix("whsec_"), validate=True)
    except ValueError:  # binascii.Error is one
        key = b""
    if not key:
        raise ValueError("a webhook secret is 'whsec_' followed by base64; this one is not")
    return key

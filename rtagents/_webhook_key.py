"""The key a webhook secret holds, as OpenAI shows the secret (``whsec_`` and base64): one
rule for the calls server that verifies webhooks and the emulator that signs them."""

from __future__ import annotations

import base64
import contextlib


def webhook_key(secret: str) -> bytes:
    """The key in ``secret``: the base64 after ``whsec_``. Anything else is a ``ValueError``
    that says so (and never repeats the secret): without the prefix, the openai SDK takes a
    secret as its UTF-8 bytes and a base64 reading another key, so a secret read either way
    would make some webhooks fail; one that is not base64 makes a key no webhook is signed
    with."""
    if not isinstance(secret, str):  # (os.environ.get of a variable that is not set)
        raise ValueError(
            f"a webhook secret is a str, 'whsec_' followed by base64; got {type(secret).__name__}"
        )
    stripped = secret.strip()
    key = b""
    if stripped.startswith("whsec_"):
        with contextlib.suppress(ValueError):  # binascii.Error is one
            key = base64.b64decode(stripped.removeprefix("whsec_"), validate=True)
    if not key:
        raise ValueError("a webhook secret is 'whsec_' followed by base64; this one is not")
    return key

"""The client secrets this process minted for browsers, until they expire. A page attaches
its call with the secret it was given (``POST /session/attach``): only a page this app gave a
secret to attaches a call, and each secret attaches one call only, so that a page cannot
point the agent's sideband at one call after another. (The API does not say which secret
made a call: a page that knows another call's id can attach that one in place of its own.)"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict


class MintedSecrets:
    """Secrets are kept as digests (never the values), at most ``keep`` of them."""

    def __init__(self, keep: int = 10_000) -> None:
        self._keep = keep
        self._secrets: OrderedDict[str, tuple[float, str | None]] = OrderedDict()

    def add(self, value: str, expires_at: float) -> None:
        now = time.time()
        for digest, (expires, bound) in list(self._secrets.items()):
            if expires > now:
                break  # minted in order, with one lifetime: the rest are younger
            if bound is None:  # one that attached a call is kept (bounded by ``keep``)
                del self._secrets[digest]
        self._secrets[_digest(value)] = (expires_at, None)
        while len(self._secrets) > self._keep:
            self._secrets.popitem(last=False)

    def bind(self, value: object, call_id: str) -> bool:
        """Whether ``value`` is a live secret minted here, for ``call_id``: the first call
        attached with a secret is its call (attaching it again is fine, another is not)."""
        if not isinstance(value, str):
            return False
        digest = _digest(value)
        entry = self._secrets.get(digest)
        if entry is None or entry[0] <= time.time():
            return False
        expires, bound = entry
        if bound is None:
            self._secrets[digest] = (expires, call_id)
            return True
        return bound == call_id

    def holds(self, value: object, call_id: str) -> bool:
        """Whether ``value`` is a secret minted here that attached ``call_id``, even past its
        lifetime (a call outlasts it). It binds nothing: a call attached already is told so
        only with its own secret."""
        if not isinstance(value, str):
            return False
        entry = self._secrets.get(_digest(value))
        return entry is not None and entry[1] == call_id


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()

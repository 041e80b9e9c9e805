"""The client secrets this process minted for browsers, until they expire. A page attaches
its call with the secret it was given (``POST /session/attach``): only a page this app gave a
secret to attaches a call, and each secret attaches one call only, so that a page cannot
point the agent's sideband at one call after another. (The API does not say which secret
made a call: a page that knows another call's id can attach that one in place of its own.)"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

ATTACH_GRACE_S = 60.0
"""How long after its secret expired a call is still attached with it: a secret's expiry is
for making calls (the API's words), and a call made in its last seconds is attached after."""


class MintedSecrets:
    """Secrets are kept as digests (never the values): at most ``keep`` waiting for their
    call, and at most ``keep`` that attached one. Those are kept apart: however many pages
    come after, a live call's page is still told how its call goes, and a mint sweeps only
    what waits."""

    def __init__(self, keep: int = 10_000) -> None:
        self._keep = keep
        # digest -> when it expires, and the trace it was minted in (its call's: a
        # ``traceparent``, or None untraced); once bound, with its call too
        self._waiting: OrderedDict[str, tuple[float, str | None]] = OrderedDict()
        self._bound: OrderedDict[str, tuple[float, str | None, str]] = OrderedDict()

    def add(self, value: str, expires_at: float, trace: str | None = None) -> None:
        now = time.time()
        waiting = self._waiting
        while waiting:  # minted in order, with one lifetime: the first live one ends it
            digest, (expires, _) = next(iter(waiting.items()))
            if expires + ATTACH_GRACE_S > now:
                break
            del waiting[digest]
        waiting[_digest(value)] = (expires_at, trace)
        while len(waiting) > self._keep:
            waiting.popitem(last=False)

    def bind(self, value: object, call_id: str) -> bool:
        """Whether ``value`` is a live secret minted here, for ``call_id``: the first call
        attached with a secret is its call (attaching it again is fine, another is not)."""
        if not isinstance(value, str):
            return False
        digest = _digest(value)
        now = time.time()
        bound = self._bound.get(digest)
        if bound is not None:
            return bound[0] + ATTACH_GRACE_S > now and bound[2] == call_id
        waiting = self._waiting.get(digest)
        if waiting is None or waiting[0] + ATTACH_GRACE_S <= now:
            return False
        del self._waiting[digest]
        self._bound[digest] = (*waiting, call_id)
        while len(self._bound) > self._keep:
            self._bound.popitem(last=False)
        return True

    def holds(self, value: object, call_id: str) -> bool:
        """Whether ``value`` is a secret minted here that attached ``call_id``, even past its
        lifetime (a call outlasts it). It binds nothing: a call attached already is told so
        only with its own secret."""
        if not isinstance(value, str):
            return False
        bound = self._bound.get(_digest(value))
        return bound is not None and bound[2] == call_id

    def trace_of(self, value: object) -> str | None:
        """The trace the secret ``value`` was minted in, once it attached its call."""
        bound = self._bound.get(_digest(value)) if isinstance(value, str) else None
        return bound[1] if bound is not None else None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()

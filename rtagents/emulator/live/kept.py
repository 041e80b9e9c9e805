"""GPT-Live sessions whose primary connection dropped without ``session.close``: kept a while
(``live_resume_s``) for a client to attach to again, then let go. Each holds a whole session
(its conversation, its work under way), so none is kept past its window."""

from __future__ import annotations

import asyncio
import contextlib
import time

from ..connection import let_go
from .core import LiveCore


class KeptSessions:
    """The dropped sessions a connection may attach to, by session id."""

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self._kept: dict[str, tuple[LiveCore, float]] = {}  # the core, and until when

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, core: LiveCore) -> None:
        """``core``'s connection closed: kept, unless its session ended or never started."""
        if not core.session or core.ended:
            return
        self._kept[core.session["id"]] = (core, time.monotonic() + self.keep_s)
        with contextlib.suppress(RuntimeError):  # (no loop: a test driving it by hand)
            asyncio.get_running_loop().call_later(self.keep_s + 0.01, self.prune)

    def can_attach(self, session_id: str) -> bool:
        """Whether a connection may attach to ``session_id`` (kept, and not ended since: a
        SIP call hung up while its sideband was down)."""
        self.prune()
        return session_id in self._kept

    def take(self, session_id: str) -> LiveCore | None:
        """The session to attach a connection to (once: it is no longer kept), if any."""
        self.prune()
        kept = self._kept.pop(session_id, None)
        return kept[0] if kept is not None else None

    def prune(self) -> None:
        """Let go of those past their window or ended since, and of their work in flight."""
        now = time.monotonic()
        for session_id, (core, until) in list(self._kept.items()):
            if until < now or core.ended:
                del self._kept[session_id]
                let_go(core)

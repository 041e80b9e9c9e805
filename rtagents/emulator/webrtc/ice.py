"""ICE on a host whose only interface is loopback (a CI container without a network):
aioice leaves 127.0.0.1 and ::1 out of the host candidates it gathers, so there neither
side of a call would have a candidate and ICE would fail. Inside ``loopback_allowed()``,
where aioice finds no address, it gathers loopback instead; anywhere else (the app's own
peer connections in the same process) and on any other host, nothing changes. (Chromium
needs ``--allow-loopback-in-peer-connection`` to do the same.)"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_ALLOWED: ContextVar[bool] = ContextVar("rtagents_loopback_allowed", default=False)
_PATCHED = "_rtagents_loopback"


@contextlib.contextmanager
def loopback_allowed() -> Iterator[None]:
    """Candidates gathered in this context (and the tasks it starts) fall back to loopback."""
    _install()
    token = _ALLOWED.set(True)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def _install() -> None:
    import aioice.ice

    original = aioice.ice.get_host_addresses
    if getattr(original, _PATCHED, False):
        return

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        found = original(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
        if found or not _ALLOWED.get() or not (use_ipv4 or use_ipv6):
            return found
        return ["127.0.0.1"] if use_ipv4 else ["::1"]

    setattr(host_addresses, _PATCHED, True)
    aioice.ice.get_host_addresses = host_addresses

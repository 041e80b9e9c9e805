"""What a host name says of where it is."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit


def loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, 127.0.0.0/8, ``::1``): reached
    directly, never through a proxy the environment names (it would be another machine's
    loopback, or none), and what an emulator listening on it serves only."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


DIRECT: Mapping[str, None] = {f"all://{host}": None for host in ("localhost", "127.0.0.1", "[::1]")}
"""httpx mounts by which this machine is reached directly, whatever proxy the environment
names (``HTTP_PROXY`` set for the rest of the world: an emulator here is not behind it)."""


def direct(url: str) -> Mapping[str, None]:
    """httpx mounts by which ``url``'s host, when it is this machine (any of 127.0.0.0/8,
    say), and this machine's usual names are reached directly (see ``DIRECT``)."""
    host = urlsplit(url).hostname or ""
    if not loopback(host):
        return DIRECT
    return {**DIRECT, f"all://[{host}]" if ":" in host else f"all://{host}": None}

"""The base of the events rtagents adds to a session's stream (beside the server's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FrameworkEvent:
    """An event made by rtagents, not sent by the server. Has a ``type`` like server events."""

    type: ClassVar[str] = "framework"

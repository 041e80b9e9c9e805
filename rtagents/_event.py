"""The base of the events rtagents adds to a session's stream (beside the server's)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FrameworkEvent:
    """An event made by rtagents, not sent by the server. Like a server event it has a
    ``type``, a ``Literal`` in each subclass, so that ``event.type`` narrows a union."""

    type: str = field(init=False)

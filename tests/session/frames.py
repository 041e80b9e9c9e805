"""Server events made for the sans-I/O tests of the session core."""

from __future__ import annotations

from typing import Any

from rtagents import protocol as p


def ev(kind: str, **fields: Any) -> Any:
    """A typed server event of ``kind``, decoded as the session decodes one."""
    return p.SERVER_EVENTS[kind].model_validate({"type": kind, "event_id": "e", **fields})


def audio_delta(response_id: str, item_id: str, delta: str) -> Any:
    """A ``response.output_audio.delta`` of ``delta`` (base64) for ``item_id``."""
    return ev(
        "response.output_audio.delta",
        response_id=response_id,
        item_id=item_id,
        output_index=0,
        content_index=0,
        delta=delta,
    )

"""A huge frame of an unknown type gives "a ``session.warning`` with a 200-character
prefix; the frame's memory is freed at once" (failures.md): its ``type`` is cut too, in the
message and in ``detail["event_type"]``. Before, the type was quoted whole, twice: a 1 MB
``type`` gave a 2 MB warning, and as a warning counts 0 bytes against
``max_buffered_bytes``, a slow reader's buffer could hold ``max_buffered_events`` of them."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from tests.session.hostile import hostile_server

HUGE = "x" * 1_000_000


@pytest.mark.anyio
async def test_warning_for_a_huge_unknown_type_is_clipped() -> None:
    async with hostile_server(max_size=None) as server:
        agent = rtagents.Agent(name="h")
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                told = await server.told(session, json.dumps({"type": HUGE, "event_id": "e1"}))
    warnings = [e for e in told if e.type == "session.warning"]
    assert warnings
    size = sum(len(w.message) + len(json.dumps(w.detail)) for w in warnings)
    assert size < 2_000, f"the warning holds {size} characters of the frame"

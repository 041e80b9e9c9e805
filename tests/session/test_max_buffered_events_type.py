"""Rule: bad input gets a clear error at the call, and the session never dies of an
internal error the app caused. ``connect(max_buffered_events="10")`` (a value read from an
environment variable, say) is taken; the session then opens and dies on its first event
with ``SessionClosedError: internal error: TypeError: '>' not supported between instances
of 'int' and 'str'``. ``max_buffered_events=-1`` dies the same way (``IndexError: pop from an empty deque``),
``max_buffered_bytes=-1`` makes ``session.ask`` hang, and ``ping_interval="20"`` turns the
keepalive off with only a logged traceback. ``sync_tool_threads=0`` is refused at the call;
these should be too."""

from __future__ import annotations

import pytest

import rtagents


@pytest.mark.parametrize(
    "option, value",
    [
        ("max_buffered_events", "10"),
        ("max_buffered_bytes", "1000"),
        ("ping_interval", "20"),
        ("max_buffered_events", -1),  # the session dies: IndexError: pop from an empty deque
        ("max_buffered_bytes", -1),  # ask() never returns: every event is dropped
    ],
)
def test_wrong_type_refused_at_connect(option: str, value: object) -> None:
    agent = rtagents.Agent(name="a")
    with pytest.raises((TypeError, ValueError), match=option):
        rtagents.connect(agent, url="ws://127.0.0.1:9/v1/realtime", **{option: value})  # type: ignore[arg-type]

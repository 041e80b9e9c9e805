"""The session's state machines as tables: every state x input, its next state and effects.
And the orchestrator speaks no wire: no Realtime event name appears in it."""

from __future__ import annotations

import pathlib
import re

import pytest

import rtagents.session as session_pkg
from rtagents.session.states import (
    ASK_TABLE,
    LINK_TABLE,
    AppAsk,
    Asked,
    AskInput,
    Connection,
    Link,
    LinkEffect,
    LinkInput,
)

L, In, E, A, K = Link, LinkInput, LinkEffect, Asked, AskInput
F = (E.FORGET,)

# (state, input) -> (next state, effects): written out by hand, every pair.
LINK_EXPECTED = {
    L.ONLINE: {
        In.EXPIRED: (L.EXPIRED, ()),
        In.HAND_OVER: (L.HANDING_OVER, ()),
        In.DROPPED: (L.OFFLINE, F),
        In.REOPENED: (L.ONLINE, ()),
        In.REPLAYED: (L.ONLINE, ()),
        In.CLOSE: (L.CLOSED, ()),
    },
    L.EXPIRED: {
        In.EXPIRED: (L.EXPIRED, ()),
        In.HAND_OVER: (L.EXPIRED, ()),
        In.DROPPED: (L.OFFLINE, F),
        In.REOPENED: (L.EXPIRED, ()),
        In.REPLAYED: (L.EXPIRED, ()),
        In.CLOSE: (L.CLOSED, ()),
    },
    L.HANDING_OVER: {
        In.EXPIRED: (L.HANDING_OVER, ()),
        In.HAND_OVER: (L.HANDING_OVER, ()),
        In.DROPPED: (L.OFFLINE, F),
        In.REOPENED: (L.HANDING_OVER, ()),
        In.REPLAYED: (L.HANDING_OVER, ()),
        In.CLOSE: (L.CLOSED, ()),
    },
    L.OFFLINE: {
        In.EXPIRED: (L.OFFLINE, ()),
        In.HAND_OVER: (L.OFFLINE, ()),
        In.DROPPED: (L.OFFLINE, ()),
        In.REOPENED: (L.REPLAYING, ()),
        In.REPLAYED: (L.OFFLINE, ()),
        In.CLOSE: (L.CLOSED, ()),
    },
    L.REPLAYING: {
        In.EXPIRED: (L.EXPIRED, ()),
        In.HAND_OVER: (L.REPLAYING, ()),
        In.DROPPED: (L.OFFLINE, F),
        In.REOPENED: (L.REPLAYING, ()),
        In.REPLAYED: (L.ONLINE, (E.ASK_OWED,)),
        In.CLOSE: (L.CLOSED, ()),
    },
    L.CLOSED: {i: (L.CLOSED, ()) for i in LinkInput},
}

ASK_EXPECTED = {
    A.NONE: {K.ASK: A.HELD, K.SEND: A.NONE, K.CREATED: A.NONE, K.BUSY: A.NONE,
             K.REFUSED: A.NONE, K.OUTPUT: A.NONE, K.DROPPED: A.NONE},
    A.HELD: {K.ASK: A.HELD, K.SEND: A.SENT, K.CREATED: A.HELD, K.BUSY: A.HELD,
             K.REFUSED: A.HELD, K.OUTPUT: A.HELD, K.DROPPED: A.HELD},
    A.SENT: {K.ASK: A.HELD, K.SEND: A.SENT, K.CREATED: A.ANSWERING, K.BUSY: A.HELD,
             K.REFUSED: A.NONE, K.OUTPUT: A.SENT, K.DROPPED: A.HELD},
    A.ANSWERING: {K.ASK: A.HELD, K.SEND: A.ANSWERING, K.CREATED: A.ANSWERING,
                  K.BUSY: A.HELD, K.REFUSED: A.ANSWERING, K.OUTPUT: A.NONE,
                  K.DROPPED: A.HELD},
}  # fmt: skip


def _connection_in(state: Link) -> Connection:
    conn = Connection()
    path = {
        L.ONLINE: [],
        L.EXPIRED: [In.EXPIRED],
        L.HANDING_OVER: [In.HAND_OVER],
        L.OFFLINE: [In.DROPPED],
        L.REPLAYING: [In.DROPPED, In.REOPENED],
        L.CLOSED: [In.CLOSE],
    }[state]
    for step in path:
        conn.apply(step)
    assert conn.state is state
    return conn


@pytest.mark.parametrize("state", list(Link))
@pytest.mark.parametrize("event", list(LinkInput))
def test_every_connection_transition(state: Link, event: LinkInput) -> None:
    assert set(LINK_TABLE) == {(s, i) for s in Link for i in LinkInput}  # total
    conn = _connection_in(state)
    effects = conn.apply(event)
    assert (conn.state, effects) == LINK_EXPECTED[state][event]


def test_a_planned_handover_is_remembered_through_its_drop_and_epochs_count_replays() -> None:
    conn = _connection_in(L.HANDING_OVER)
    conn.apply(In.DROPPED)
    assert conn.planned and conn.epoch == 0
    conn.apply(In.DROPPED)  # the same drop, heard twice: still planned
    assert conn.planned
    conn.apply(In.REOPENED)
    assert conn.epoch == 1 and conn.current(1) and not conn.current(0)
    conn.apply(In.DROPPED)
    assert not conn.planned and not conn.current(1)


def test_a_session_closes_once_with_its_first_reason() -> None:
    conn = Connection()
    assert conn.close("first", error=True)
    assert not conn.close("second", error=False)
    assert (conn.state, conn.closed_reason, conn.dropped) == (L.CLOSED, "first", True)


def _ask_in(state: Asked) -> AppAsk:
    ask = AppAsk()
    path = {
        A.NONE: [],
        A.HELD: [K.ASK],
        A.SENT: [K.ASK, K.SEND],
        A.ANSWERING: [K.ASK, K.SEND, K.CREATED],
    }[state]
    for step in path:
        ask.apply(step)
    assert ask.state is state
    return ask


@pytest.mark.parametrize("state", list(Asked))
@pytest.mark.parametrize("event", list(AskInput))
def test_every_app_request_transition(state: Asked, event: AskInput) -> None:
    assert set(ASK_TABLE) == {(s, i) for s in Asked for i in AskInput}  # total
    ask = _ask_in(state)
    ask.params, ask.ref, ask.response_id = "params", "evt_1", "resp_1"
    assert ask.apply(event) is ASK_EXPECTED[state][event]
    # What goes with the state: a finished request keeps nothing; only an answered one
    # keeps its response.
    if ask.state is A.NONE:
        assert (ask.params, ask.ref, ask.response_id) == (None, None, None)
    if ask.state is not A.ANSWERING:
        assert ask.response_id is None


def test_the_orchestrator_speaks_no_wire() -> None:
    """The orchestration is protocol-neutral: a second wire adapter (GPT-Live) plugs in
    beside the Realtime one, so no Realtime event name may appear in it."""
    root = pathlib.Path(session_pkg.__file__).parent
    wire = re.compile(r"[\"'](response\.|conversation\.|session\.|input_audio)")
    for name in ("orchestrator.py", "states.py", "batches.py"):
        text = (root / name).read_text()
        assert not wire.findall(text), name

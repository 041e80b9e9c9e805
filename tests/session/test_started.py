"""Which calls and approval requests were started (``session/started.py``): an id is run
once, and a call that reuses an approval request's id is never taken for that request."""

from __future__ import annotations

import gc

from rtagents.session import started as s


def test_a_call_is_new_once_then_again_from_its_response_and_reused_from_another() -> None:
    started: s.Started = {}
    assert s.call(started, "c1", "r1") == "new"
    assert s.call(started, "c1", "r1") == "again"
    assert s.call(started, "c1", None) == "again"  # (a server that names no response)
    assert s.call(started, "c1", "r2") == "reused"
    assert s.response_of(started, "c1") == "r1"


def test_a_call_reusing_a_requests_id_is_reused_even_from_the_requests_response() -> None:
    started: s.Started = {}
    assert s.request(started, "x1", "r1") == "new"
    assert s.request(started, "x1", "r1") == "again"
    assert s.request(started, "x1", None) == "again"  # (no response named: the same one)
    assert s.request(started, "x1", "r2") == "reused"  # (denied: an answer names the id)
    assert s.call(started, "x1", "r2") == "reused"
    assert s.call(started, "x1", "r1") == "reused"
    assert s.call(started, "x1", None) == "reused"  # (GPT-Live: a call may name no response)
    assert s.response_of(started, "x1") is None  # a request's response is not a call's


def test_the_record_is_nothing_the_collector_tracks() -> None:
    started: s.Started = {}
    for n in range(100):
        s.call(started, f"c{n}", f"r{n}")
        s.request(started, f"a{n}", None)
    assert not gc.is_tracked(started)


def test_a_request_reusing_a_calls_id_is_reused() -> None:
    started: s.Started = {}
    assert s.call(started, "x1", "r1") == "new"
    assert s.request(started, "x1", "r1") == "reused"
    assert s.request(started, "x1", None) == "reused"

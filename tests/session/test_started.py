"""Which calls and approval requests were started (``Started``): an id is run once, and a
call that reuses an approval request's id is never taken for that request again."""

from __future__ import annotations

from rtagents.session.started import Started


def test_a_call_is_new_once_then_again_from_its_response_and_reused_from_another() -> None:
    started = Started()
    assert started.call("c1", "r1") == "new"
    assert started.call("c1", "r1") == "again"
    assert started.call("c1", None) == "again"  # (a server that names no response)
    assert started.call("c1", "r2") == "reused"
    assert started.response_of("c1") == "r1"


def test_a_call_reusing_a_requests_id_is_reused_even_from_the_requests_response() -> None:
    started = Started()
    assert started.request("x1", "r1")
    assert not started.request("x1", "r1")
    assert started.call("x1", "r2") == "reused"
    assert started.call("x1", "r1") == "reused"
    assert started.call("x1", None) == "reused"  # (GPT-Live: a call may name no response)
    assert started.response_of("x1") is None  # a request's response is not a call's

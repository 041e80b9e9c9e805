"""Each GPT-Live frame is validated once on the session's path, and the Responses event a
``response.event`` wraps once more, only if the session acts on it: what a session costs per
frame (#36). A frame or an inner event that breaks its schema still takes the lenient path,
with the warnings it gives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from rtagents import protocol as p
from rtagents.protocol.live import codec
from rtagents.session import live as live_module
from rtagents.session.actions import Emit, StartCall, ToolTraits
from rtagents.session.live import LiveCore
from rtagents.session.metering import UsageMeter

from .frames import (
    arguments_done,
    call_added,
    call_done,
    completed,
    created,
    delegated,
    frame,
    warnings,
    wrapped,
)


class Counted:
    def __init__(self, validate: Callable[[Any], Any]) -> None:
        self.validate, self.calls = validate, 0

    def __call__(self, data: Any) -> Any:
        self.calls += 1
        return self.validate(data)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Counted, Counted]]:
    frames, inner = Counted(live_module._validate), Counted(codec._read_inner)
    monkeypatch.setattr(live_module, "_validate", frames)
    monkeypatch.setattr(codec, "_read_inner", inner)
    yield frames, inner


def core() -> LiveCore:
    return LiveCore(lambda name, response_id: {"noop": ToolTraits()}.get(name))


def delivered(actions: list[Any]) -> list[Any]:
    return [a for a in actions if isinstance(a, Emit) and isinstance(a.event, p.WireModel)]


def test_a_delegated_call_validates_each_frame_once_and_each_inner_event_once(
    counts: tuple[Counted, Counted],
) -> None:
    frames, inner = counts
    c, meter = core(), UsageMeter("gpt-live-1")
    trip = [
        delegated("del_1", rid="resp_1"),
        created("resp_1"),
        call_added("call_1", "noop"),
        arguments_done("call_1"),
        call_done("call_1", "noop"),
        completed("resp_1", usage=None),
    ]
    actions: list[Any] = []
    for text in trip:
        out = c.receive_frame(text)
        for emit in delivered(out):
            meter.see(emit.event)  # the meter reads what the app gets: no decoding of its own
        actions += out
    assert (frames.calls, inner.calls) == (6, 5)
    assert [a.call_id for a in actions if isinstance(a, StartCall)] == ["call_1"]
    assert warnings(actions) == []
    assert meter.usage.responses == 1
    assert all(e.frame is not None for e in delivered(actions))  # whole frames are kept


def test_an_inner_event_the_session_does_not_act_on_is_not_decoded(
    counts: tuple[Counted, Counted],
) -> None:
    frames, inner = counts
    c = core()
    text = wrapped("del_1", "response.output_text.delta", item_id="msg_1", delta="Hel")
    actions = c.receive_frame(text)
    assert (frames.calls, inner.calls) == (1, 0)
    [emit] = delivered(actions)
    assert emit.event.event["delta"] == "Hel"  # the app gets it whole, as before
    assert warnings(actions) == []
    assert lp_unknown(emit.event.event).delta == "Hel"  # and can still read it typed


def lp_unknown(inner: dict[str, Any]) -> Any:
    decoded = codec.decode_response_event(inner)
    assert decoded.dropped == ()
    assert isinstance(decoded.event, p.live.UnknownResponsesEvent)
    return decoded.event


@pytest.mark.parametrize(
    "sequence", ["7", "x", 1.5, True, [1]], ids=["str", "text", "float", "bool", "list"]
)
def test_an_untyped_inner_event_with_an_odd_sequence_number_is_decoded_as_before(
    sequence: Any,
) -> None:
    inner = {"type": "response.output_text.delta", "sequence_number": sequence, "delta": "Hi"}
    text = frame("response.event", delegation_id="del_1", event=inner)
    got = warnings(core().receive_frame(text))
    try:
        codec.decode_response_event(inner)
    except p.ProtocolError as exc:
        assert got == [f"response.event: inner event ignored: {exc}"]
    else:
        assert got == []


def test_an_inner_event_without_a_type_is_still_a_warning() -> None:
    text = frame("response.event", delegation_id="del_1", event={"sequence_number": 1})
    [warning] = warnings(core().receive_frame(text))
    assert warning.startswith("response.event: inner event ignored: ")


def test_an_inner_event_that_breaks_its_schema_is_read_leniently_and_says_so() -> None:
    c = core()
    c.receive_frame(delegated("del_1", rid="resp_1"))
    c.receive_frame(created("resp_1"))
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "noop"}
    item |= {"arguments": "{}", "status": "completed"}
    broken = completed("resp_1", usage="lots", output=[item])
    actions = c.receive_frame(broken)
    assert warnings(actions) == ["response.event response.completed: left out response.usage"]
    # The snapshot still ends the response, and the call it lists still starts.
    assert [a.call_id for a in actions if isinstance(a, StartCall)] == ["call_1"]


def test_a_frame_that_breaks_its_schema_is_read_leniently_and_not_kept(
    counts: tuple[Counted, Counted],
) -> None:
    frames, _ = counts
    c = core()
    text = frame("session.delegation.created", offset_ms="soon", delegation={"type": "x"})
    [warning] = warnings(c.receive_frame(text))
    assert "session.delegation.created" in warning
    assert frames.calls == 1  # the fast path's try; the lenient decoder takes it from there
    partly = frame(
        "session.output_transcript.delta", delta="Hi", start_ms=0, end_ms=1, client_event_id=5
    )
    actions = c.receive_frame(partly)
    assert warnings(actions) == [
        "session.output_transcript.delta: left out what could not be read: client_event_id"
    ]
    [emit] = delivered(actions)
    assert emit.frame is None  # a frame read only in part is not kept
    assert c.receive_frame(b"not json") and frames.calls == 3

"""The app's out-of-band request (``create_response(conversation="none")``) that a drop takes
before its response began is asked for again on the next connection, a new server session
that never had it (docs/session.md, "What is preserved": "your create_response ... sent on
the new connection once it has the conversation back (an out-of-band one too)"); a call's
sideband, whose session goes on and may have begun it unseen, is told instead with a
``session.warning``, as of an out-of-band response the drop cut off. One whose response
began is not asked again. Before, such a request was lost silently: the app waited for an
answer that never came."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import DropConnection, Emulator, ScriptedModel
from rtagents.protocol import ResponseCreate, ResponseCreateParams
from rtagents.session.actions import Emit, Send, ToolTraits
from rtagents.session.events import SessionWarning
from rtagents.session.realtime import RealtimeCore
from rtagents.session.realtime_out import ASIDE

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def test_an_out_of_band_request_taken_by_a_drop_is_asked_again_or_told() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["Summary.", "Summary."]), realtime=False) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            session.on("*")(events.append)
            # The server goes away as the request reaches it: it never begins a response.
            emu.last.add_fault(DropConnection(on_client="response.create"))
            await session.create_response(conversation="none", instructions="Summarise.")
            with anyio.fail_after(5):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
            await anyio.sleep(1.0)
            assert session.closed_reason is None
        first = [f["type"] for f in emu.connections[0].received]
        second = emu.connections[1].received
    assert "response.create" in first  # it was sent, and the drop took it
    again = [
        f
        for f in second
        if f["type"] == "response.create"
        and (f.get("response") or {}).get("conversation") == "none"
    ]
    told = [e.message for e in events if e.type == "session.warning"]
    assert again or told, (
        "the app's out-of-band request, taken by the drop before its response began, was "
        "not asked for again and the app was told nothing"
    )


def _sent(core: RealtimeCore, actions: list[Any]) -> list[str | None]:
    """The actions carried out as the runner does (each send told to the core as it goes):
    the out-of-band requests among them."""
    asked = []
    for action in actions:
        if isinstance(action, Send):
            core.sent(action.event)
            if isinstance(action.event, ResponseCreate):
                asked.append(action.event.event_id)
    return asked


def _reconnected(core: RealtimeCore) -> list[str | None]:
    """A drop, then the next connection: the out-of-band requests it is sent."""
    told = [a.event for a in core.disconnected() if isinstance(a, Emit)]
    assert not [e for e in told if type(e) is SessionWarning and "event_ids" in e.detail]
    core.replay()
    return _sent(core, core.resumed())


def _began(core: RealtimeCore, response_id: str) -> None:
    created = {"id": response_id, "status": "in_progress", "conversation_id": None}
    frame = {"type": "response.created", "event_id": "e1", "response": created}
    core.receive_frame(json.dumps(frame))


@pytest.mark.parametrize("sideband", [False, True], ids=["new session", "call's sideband"])
def test_an_unbegun_request_is_asked_again_or_told(sideband: bool) -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits(), sideband=sideband)
    [ref] = _sent(core, core.request_response(ResponseCreateParams(conversation="none")))
    dropped = core.disconnected()
    told = [a.event for a in dropped if isinstance(a, Emit) and type(a.event) is SessionWarning]
    core.replay()
    again = _sent(core, core.resumed())
    if sideband:
        assert again == [] and [w.detail["event_ids"] for w in told] == [[ref]]
    else:
        assert again == [ref] and told == []


def test_a_request_whose_response_began_is_not_asked_again() -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    _sent(core, core.request_response(ResponseCreateParams(conversation="none")))
    _began(core, "resp_1")
    assert _reconnected(core) == []


def test_a_request_asked_again_survives_a_second_drop() -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    [ref] = _sent(core, core.request_response(ResponseCreateParams(conversation="none")))
    assert _reconnected(core) == [ref]  # asked again on the second connection ...
    assert _reconnected(core) == [ref]  # ... which drops too before its response begins


def test_a_request_asked_again_beginning_takes_no_later_ones_place() -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    [a] = _sent(core, core.request_response(ResponseCreateParams(conversation="none")))
    assert _reconnected(core) == [a]
    [b] = _sent(core, core.request_response(ResponseCreateParams(conversation="none")))
    _began(core, "resp_a")  # a's (the server begins them in order)
    assert _reconnected(core) == [b]


def test_our_own_asides_are_not_the_apps_to_ask_again() -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    params = ResponseCreateParams(conversation="none", metadata={ASIDE: "progress"})
    core.sent(ResponseCreate(event_id="ours", response=params))
    assert _reconnected(core) == []

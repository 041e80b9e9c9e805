"""The first configuration of a connection restates nothing: the server starts from its
defaults, or on a call's sideband from the call's accept (session/restate.py, module
docstring). A call accepted with an agent's own configuration (``created_session``, as
CallServer accepts it) keeps what the accept gave it when the sideband attaches and sends
that same agent's first ``session.update``: an agent that sets no ``instructions`` runs on
the instructions the accepted call has, as it does on a session of its own, and its first
update sends no setting the agent does not set."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import CallsAPI
from rtagents.emulator import Emulator, ModelContext, ScriptedModel
from rtagents.emulator.config import DEFAULT_SESSION
from rtagents.session.realtime import RealtimeCore
from rtagents.tracing.calls import created_session
from tests.calls.harness import SECRET
from tests.session.frames import ev

pytestmark = pytest.mark.anyio


async def test_control_the_runner_configures_before_session_created_is_read() -> None:
    """The control, end to end: at a session's start the runner sends the first update
    before it reads ``session.created``, which hides the fault below there."""
    seen: list[str] = []

    def answer(ctx: ModelContext) -> str:
        seen.append(ctx.instructions)
        return "Hello."

    desk = rtagents.Agent(name="desk", output_modalities=["text"])  # no instructions
    async with Emulator(model=ScriptedModel([answer])) as emu:
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        api = CallsAPI("-", emu.http_url)
        await api.accept(call_id, created_session(desk))  # as CallServer accepts a call
        await api.aclose()
        async with rtagents.connect(desk, url=emu.url, call_id=call_id) as session:
            with anyio.fail_after(10):
                await session.ask("Hi")
        updates = [
            f["session"]
            for c in emu.connections
            for f in c.received
            if f["type"] == "session.update"
        ]
    assert seen, "the agent never answered"
    assert [u.get("instructions") for u in updates] == [None], (
        f"the sideband's first session.update set what the agent leaves out: {updates}"
    )
    assert seen[-1] == DEFAULT_SESSION["instructions"], (
        f"the accepted call's instructions were replaced by the first configure: {seen[-1]!r}"
    )


def test_a_sidebands_first_configure_sends_only_the_agents_settings() -> None:
    """Sans I/O: the accept (the same agent's) as the sideband's ``session.created``
    reports it, with the server's own values where the accept set none."""
    desk = rtagents.Agent(name="desk")
    accepted: dict[str, Any] = {
        **created_session(desk),
        "id": "sess_call",
        "instructions": "You are a helpful assistant.",  # the server's, the accept set none
        "audio": {"input": {"noise_reduction": {"type": "near_field"}}},
    }
    core = RealtimeCore(lambda name: None, sideband=True)
    core.receive(ev("session.created", session=accepted))
    _, actions = core.configure(desk, tools=[], tracing=None)
    sent = json.loads(actions[0].event.model_dump_json(exclude_unset=True))["session"]
    expected = json.loads(
        desk.session_config(tools=[], tracing=None).model_dump_json(exclude_unset=True)
    )
    expected.pop("tracing", None)
    sent.pop("tracing", None)
    assert sent == expected, f"the first configure changed the accepted call: {sent}"

"""A Live session outlives a primary connection that dropped: a connection attaching to it
by id within ``live_resume_s`` gets its state; a session closed on purpose is not kept."""

from __future__ import annotations

import json

from rtagents.emulator import Emulator

START = {"type": "session.start", "session": {"model": "gpt-live-1", "instructions": "Hi."}}


def started(emu: Emulator) -> str:
    conn = emu.open_live_connection()
    conn.core.receive(json.dumps(START))
    conn.core.appended.append("remember me")
    emu.connection_closed(conn)
    return str(conn.session["id"])


def test_a_dropped_session_is_attached_to_with_its_state() -> None:
    emu = Emulator()
    session_id = started(emu)
    assert emu.can_resume(session_id)
    attached = emu.open_live_connection(session_id)
    assert attached.session["id"] == session_id
    assert attached.core.appended == ["remember me"]
    assert not emu.can_resume(session_id)  # one connection attaches


def test_a_closed_or_expired_session_is_not_kept() -> None:
    emu = Emulator()
    conn = emu.open_live_connection()
    conn.core.receive(json.dumps(START))
    conn.core.receive(json.dumps({"type": "session.close"}))
    emu.connection_closed(conn)
    assert not emu.can_resume(str(conn.session["id"]))
    late = Emulator(live_resume_s=-1)
    assert not late.can_resume(started(late))

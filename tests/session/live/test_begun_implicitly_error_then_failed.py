"""Rule (DESIGN: every call answered exactly once; a failure is told once, the session goes
on).

A delegated response's stream ``error`` ends it, and its ``response.failed`` after it is
the same end (``DelegatedWork._end``: "ended already (an error in its stream, then its
failure)"). For a response begun implicitly (its delegation announced without its
``response_id``, no ``response.created``), the error ends the response named here
(``del_2#n``) and drops it as the delegation's current one, so the ``response.failed``
naming ``resp_2`` is no longer mapped to it by ``_ending``: it ends a second, unknown
response, the failure is warned twice, and the call its snapshot lists (which ran already)
is taken for a reused call id and answered again. With ``response.created`` seen (the
control) it is one end."""

from __future__ import annotations

from typing import Any

import pytest

from rtagents.session.actions import StartCall, ToolTraits
from rtagents.session.live import LiveCore

from .frames import (
    call_added,
    call_done,
    call_item,
    created,
    delegated,
    snapshot,
    warnings,
    wrapped,
)


@pytest.mark.parametrize("seen_created", [True, False], ids=["created seen", "begun implicitly"])
def test_an_error_then_the_failure_is_one_end(seen_created: bool) -> None:
    core = LiveCore(lambda name, rid: ToolTraits())
    core.receive_frame(delegated("del_2"))  # no response id
    if seen_created:
        core.receive_frame(created("resp_2", "del_2"))
    core.receive_frame(call_added("c2", "lookup", "del_2"))
    actions: list[Any] = core.receive_frame(call_done("c2", "lookup", delegation_id="del_2"))
    actions += core.call_finished("c2", "two")
    error = {"code": "server_error", "message": "the backend failed"}
    actions += core.receive_frame(wrapped("del_2", "error", **error))
    failed = snapshot("resp_2", "failed", error=error, output=[call_item("c2", "lookup")])
    actions += core.receive_frame(wrapped("del_2", "response.failed", response=failed))
    runs = [(s.call_id, s.duplicate) for s in actions if isinstance(s, StartCall)]
    assert runs == [("c2", False)], f"call c2 was started {len(runs)} times: {runs}"
    assert len(warnings(actions)) == 1, warnings(actions)

"""docs/session.md, "Events": the table of "the framework's events" is where a user looks up
what `async for event in session` can yield, and every `type` is a Literal the app matches
on. It leaves out events the session does yield: `transcript.delta` (yielded on the Realtime
API too; documented only in live.md), `guardrail.tripped`, `session.reconnecting`,
`session.reconnected`, `background.*`, `progress.*`, `filler.requested`.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import rtagents

DOC = Path(__file__).resolve().parents[1] / "docs" / "session.md"


def _framework_types() -> set[str]:
    types: set[str] = set()
    for member in typing.get_args(rtagents.SessionEvent):
        for arm in typing.get_args(member) or (member,):
            if dataclasses.is_dataclass(arm) and issubclass(arm, rtagents.FrameworkEvent):
                (kind,) = typing.get_args(typing.get_type_hints(arm)["type"])
                types.add(kind)
    return types


def test_the_events_table_lists_every_framework_event() -> None:
    text = DOC.read_text()
    table = text[
        text.index("- the framework's events:") : text.index("Every `type` is a `Literal`")
    ]
    listed = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)*)`", table))
    listed |= {f"approval.{k}" for k in ("requested", "awaiting", "decided")}
    types = _framework_types()
    assert types, "no framework event types found in rtagents.SessionEvent"
    assert sorted(types - listed) == []

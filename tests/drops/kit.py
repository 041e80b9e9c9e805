"""Shared bits for the drop tests: an emulator that injects faults into its Nth connection
(over a real loopback socket), and counters over what each connection received."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rtagents.emulator import Emulator
from rtagents.emulator.faults import Fault


class NthFaults(Emulator):
    """``per_connection={2: [DropConnection(...)]}``: faults for the 2nd connection opened
    (counting Realtime and GPT-Live connections alike, from 1)."""

    def __init__(self, *args: Any, per_connection: dict[int, list[Fault]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.per_connection = per_connection
        self.opened = 0

    def _with_faults(self, conn: Any) -> Any:
        self.opened += 1
        for fault in self.per_connection.get(self.opened, []):
            conn.add_fault(fault)
        return conn

    def open_connection(self, *args: Any, **kw: Any) -> Any:
        return self._with_faults(super().open_connection(*args, **kw))

    def open_live_connection(self, *args: Any, **kw: Any) -> Any:
        return self._with_faults(super().open_live_connection(*args, **kw))


def item_kinds(conn: Any) -> list[str]:
    out = []
    for e in conn.received:
        if e["type"] in ("conversation.item.create", "response.item.create"):
            out.append(e["type"] + ":" + str(e.get("item", {}).get("type")))
        else:
            out.append(e["type"])
    return out


def outputs_in(conn: Any) -> Counter[str]:
    """function_call_output items each call id has in the connection's conversation."""
    return Counter(
        i.get("call_id") for i in conn.conversation.items if i.get("type") == "function_call_output"
    )

"""What a session's calls are offered: the tools they look up and the settings they share
(approval policy, deadlines, what a tool may reach), for the agent the session runs and for
the responses of its transfers, which stay the leaving agent's. Sans I/O."""

from __future__ import annotations

from typing import Literal

from ..tools import Toolset
from .calls import CallSettings

Taking = Literal["switch", "again", "back", "app"]
"""How the session takes an agent: a ``switch`` (at the start, a transfer), the same one
``again`` (its MCP tools changed, a refused transfer's rollback: no switch, which a transfer
on its way counts in ``Offers.switches``), one taken ``back`` (a refused transfer's rollback
past its source, when the transfer to that was refused too: no switch either), or the
``app``'s own ``update_agent``. After ``app``, no call is kept for an agent before; after
``back``, only what transfers up to the switch taken back to kept: the server never ran the
agents the refused transfers left."""

_KEPT = 8  # transfers' responses whose calls stay the leaving agent's, at most (``take``)


class Offers:
    """The tools and settings of the session's agent, and those kept for transfers'
    responses, each stamped with the switch that kept it."""

    __slots__ = ("_kept", "settings", "switches", "tools")  # one object a session, no dict

    def __init__(self, tools: Toolset, settings: CallSettings) -> None:
        self.tools, self.settings = tools, settings
        self.switches = 0
        """Switches made (``switch`` and ``app``): a transfer's rollback is only for the
        session's agent if nothing switched since its own."""
        self._kept: dict[str, tuple[Toolset, CallSettings, int]] | None = None

    def take(
        self,
        tools: Toolset,
        settings: CallSettings,
        *,
        keep_for: str | None,
        how: Taking,
        back_to: int = 0,
    ) -> None:
        """Calls look up ``tools`` and share ``settings`` from now on. Those of ``keep_for``,
        a transfer's response, keep what it was made with (a second transfer in it changes
        nothing): the leaving agent's tools and approval policy. After the ``app``'s own
        ``update_agent``, nothing is kept any more: the new policy decides every call. Taken
        ``back`` to the agent of switch ``back_to``, what later transfers kept goes (their
        leaving agents never ran); a transfer's made before stays, its response still open."""
        kept, switch = self._kept, self.switches + (how == "switch" or how == "app")
        self.switches = switch
        if how == "app":
            self._kept = None
        elif how == "back":
            self._kept = {k: v for k, v in (kept or {}).items() if v[2] <= back_to} or None
        elif keep_for is not None and (kept is None or keep_for not in kept):
            # Responses open at once are few (GPT-Live's delegations): the oldest goes.
            older = list((kept or {}).items())[1 - _KEPT :]
            self._kept = dict([*older, (keep_for, (self.tools, self.settings, switch))])
        self.tools, self.settings = tools, settings

    def of(self, response_id: str | None) -> tuple[Toolset, CallSettings]:
        """The tools and settings the calls of ``response_id`` have (see ``take``)."""
        kept = self._kept
        found = kept.get(response_id) if kept is not None and response_id is not None else None
        return (found[0], found[1]) if found is not None else (self.tools, self.settings)

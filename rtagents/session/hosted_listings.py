"""What each hosted MCP server listed, and for which server: a label may name one server in
one agent and another in the next (a handoff), and a tool's ``readOnlyHint`` is one server's
word on its own tool. A hint counts only for a request judged under the server that listed
it: another server's word on a tool of the same name never waives an approval."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .. import protocol as p

if TYPE_CHECKING:
    from ..agent import Agent
    from ..mcp.hosted import HostedMCP

Server = tuple[str | None, str | None, str | None]
"""A hosted server as the API reaches it: its URL, its connector, or its tunnel."""

_IN_FLIGHT = 8  # configurations sent and not answered, the latest (a drop leaves some so)


def server_of(config: HostedMCP) -> Server:
    return (config.server_url, config.connector_id, config.tunnel_id)


class HostedListings(dict[str, list[p.McpListedTool]]):
    """The tools each hosted server listed, by label (``session.hosted_tools``), and which
    server each listing is of. A listing is of a server that the configuration the server
    last took, or one still on its way, names for its label: when they name one server, the
    listing is that server's; when they name two (a switch under way), it may be either's,
    and its hints count for none."""

    def __init__(self) -> None:
        super().__init__()
        self._of: dict[str, Server | None] = {}
        self._taken: dict[str, Server] = {}  # by label: the servers the server has taken
        self._sent: list[dict[str, Server]] = []  # ... and those on their way, oldest first

    def configuring(self, agent: Agent) -> None:
        """``agent``'s configuration is being sent."""
        self._sent = [*self._sent[1 - _IN_FLIGHT :], _servers(agent.sources.hosted)]

    def configured(self) -> None:
        """The server took a configuration: the oldest on its way (they are answered in
        order)."""
        if self._sent:
            self._taken = self._sent.pop(0)

    def refused(self) -> None:
        """The server refused the oldest configuration on its way: its servers list nothing
        (kept, it would make every listing of their labels look ambiguous for good)."""
        if self._sent:
            self._sent.pop(0)

    def reported(self, tools: Iterable[Any]) -> None:
        """The hosted servers a session the server made says it has (a call's sideband: the
        configuration its accept gave), where it says where they are."""
        said = (t for t in tools if isinstance(t, p.McpToolDefinition))
        at = {t.server_label: (t.server_url, t.connector_id, t.tunnel_id) for t in said}
        self._taken = {label: where for label, where in at.items() if any(where)}

    def __setitem__(self, label: str, tools: list[p.McpListedTool]) -> None:
        super().__setitem__(label, tools)
        # (a configuration with no server of the label cannot have listed it)
        named = {s for s in (self._taken.get(label), *(c.get(label) for c in self._sent)) if s}
        self._of[label] = named.pop() if len(named) == 1 else None

    def listed_by(self, label: str, config: HostedMCP | None) -> dict[str, p.McpListedTool]:
        """The tools ``config``'s server listed (none but its own, by name)."""
        known = config is not None and self._of.get(label) == server_of(config)
        return {t.name: t for t in self.get(label, ())} if known else {}


def _servers(configs: Iterable[HostedMCP]) -> dict[str, Server]:
    return {config.server_label: server_of(config) for config in configs}

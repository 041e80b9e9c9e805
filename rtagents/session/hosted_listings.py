"""What each hosted MCP server listed, and for which server: a label may name one server in
one agent and another in the next (a handoff), and a tool's ``readOnlyHint`` is one server's
word on its own tool. A hint counts only for a request judged under the server that listed
it: another server's word on a tool of the same name never waives an approval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import protocol as p

if TYPE_CHECKING:
    from ..agent import Agent
    from ..mcp.hosted import HostedMCP

Server = tuple[str | None, str | None]
"""A hosted server as the API reaches it: its URL, or its connector."""


def server_of(config: HostedMCP) -> Server:
    return (config.server_url, config.connector_id)


class HostedListings(dict[str, list[p.McpListedTool]]):
    """The tools each hosted server listed, by label (``session.hosted_tools``), and which
    server each listing is of: the one the session's configuration named for that label
    when the listing came. A listing that came while a configuration naming another server
    for its label was on its way is of no known server: its hints count for none."""

    def __init__(self) -> None:
        super().__init__()
        self._of: dict[str, Server | None] = {}
        self._taken: dict[str, Server] = {}  # by label: the servers the server has taken
        self._sent: dict[str, Server] = {}  # ... and those of the configuration on its way

    def configuring(self, agent: Agent) -> None:
        """``agent``'s configuration is being sent."""
        self._sent = {c.server_label: server_of(c) for c in agent.sources.hosted}

    def configured(self) -> None:
        """The server took the configuration last sent."""
        self._taken = self._sent

    def __setitem__(self, label: str, tools: list[p.McpListedTool]) -> None:
        super().__setitem__(label, tools)
        taken = self._taken.get(label)
        self._of[label] = taken if self._sent.get(label) == taken else None

    def listed_by(self, label: str, config: HostedMCP | None) -> dict[str, p.McpListedTool]:
        """The tools ``config``'s server listed (none but its own, by name)."""
        known = config is not None and self._of.get(label) == server_of(config)
        return {t.name: t for t in self.get(label, ())} if known else {}

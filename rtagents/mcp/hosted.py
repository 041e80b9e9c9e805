"""``HostedMCP``: an MCP server the Realtime server connects to and runs tools on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from .. import protocol as p
from .._redact import credential, header, hold_secrets, redact_url, url_secrets
from ..tools.toolset import name_list

ApprovalMode = Literal["always", "never"]
CONNECTORS: tuple[str, ...] = get_args(p.ConnectorId)


class HostedMCP:
    """A hosted MCP tool config (``type: "mcp"``): the server lists and calls its tools.

    Validated when made. ``authorization`` and ``headers`` are credentials: they are sent
    to the Realtime server in ``session.update`` and appear nowhere else (not in reprs,
    logs, events or spans).

    Args:
        server_label: How the model and approvals name this server.
        server_url: The MCP server's URL; or give ``connector_id`` or ``tunnel_id`` (one of
            the three).
        connector_id: A service connector (``connector_gmail``, ...).
        tunnel_id: A Secure MCP Tunnel to a server in your own network.
        authorization: An OAuth access token for the server.
        headers: HTTP headers for the server (for example an API key).
        allowed_tools: Tool names, or ``{"read_only": True}`` / ``{"tool_names": [...]}``.
        require_approval: ``"always"``, ``"never"``, or
            ``{"never": {"tool_names": [...]}, "always": {"read_only": False}}``. Requests
            are decided by the agent's ``ApprovalPolicy``.
        server_description: Tells the model what the server is for.
        defer_loading: The server's tools are found by the model's tool search, not listed
            up front.
        allowed_callers: Who may call its tools: ``"direct"`` (the model) and/or
            ``"programmatic"``.
    """

    def __init__(
        self,
        server_label: str,
        server_url: str | None = None,
        connector_id: str | None = None,
        authorization: str | None = None,
        headers: Mapping[str, str] | None = None,
        allowed_tools: Sequence[str] | Mapping[str, Any] | None = None,
        require_approval: ApprovalMode | Mapping[str, Any] | None = None,
        server_description: str | None = None,
        *,
        tunnel_id: str | None = None,
        defer_loading: bool | None = None,
        allowed_callers: Sequence[Literal["direct", "programmatic"]] | None = None,
    ) -> None:
        where = f"HostedMCP {server_label!r}"
        if not server_label or not isinstance(server_label, str):
            raise ValueError("HostedMCP needs a server_label")
        if server_url is not None and not isinstance(server_url, str):
            raise TypeError(f"{where}: server_url must be a str, not {type(server_url).__name__}")
        if headers is not None and not isinstance(headers, Mapping):
            raise TypeError(
                f"{where}: headers must be a mapping of names to values, "
                f"not {type(headers).__name__}"
            )
        if sum(x is not None for x in (server_url, connector_id, tunnel_id)) != 1:
            raise ValueError(f"{where}: give exactly one of server_url, connector_id, tunnel_id")
        if server_url is not None and not _http_url(server_url):
            raise ValueError(f"{where}: server_url must be an http(s) URL with a host")
        if connector_id is not None and connector_id not in CONNECTORS:
            raise ValueError(
                f"{where}: unknown connector_id {connector_id!r}; known: {', '.join(CONNECTORS)}"
            )
        if isinstance(require_approval, str) and require_approval not in ("always", "never"):
            raise ValueError(f"{where}: require_approval must be 'always', 'never' or a filter")
        if headers is not None and not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise TypeError(f"{where}: header names and values must be strings")
        if authorization is not None and not isinstance(authorization, str):
            raise TypeError(f"{where}: authorization must be a str")
        try:
            # As a header of our own is: a key read from a file loses its newline, and a
            # line break inside a value (a second header) or a name is refused, unquoted.
            if headers is not None:
                headers = {k: header(k, v, keep=False) for k, v in headers.items()}
            if authorization is not None:
                authorization = credential("authorization", authorization, keep=False)
            given = {
                "server_url": server_url,
                "connector_id": connector_id,
                "authorization": authorization,
                "headers": dict(headers) if headers is not None else None,
                "allowed_tools": name_list(allowed_tools, f"{where}: allowed_tools")
                if isinstance(allowed_tools, Sequence)
                else allowed_tools,
                "require_approval": require_approval,
                "server_description": server_description,
                "tunnel_id": tunnel_id,
                "defer_loading": defer_loading,
                "allowed_callers": list(allowed_callers) if allowed_callers is not None else None,
            }
            # Only what was given goes on the wire: an explicit null means something else.
            self._wire = p.McpToolDefinition(
                server_label=server_label, **{k: v for k, v in given.items() if v is not None}
            )
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if unknown := _unknown_keys(self._wire):
            # A filter is a wire model that keeps what it does not know: a misspelt key would
            # go as a filter of no condition, and a ``never`` one exempts every tool.
            raise ValueError(
                f"{where}: unknown filter key {unknown[0]}: a filter takes read_only and "
                "tool_names (require_approval: always and never, each such a filter)"
            )
        never = getattr(self._wire.require_approval, "never", None)
        if never is not None and never.read_only is None and never.tool_names is None:
            raise ValueError(
                f"{where}: require_approval's never filter names no tool (no tool_names, no "
                "read_only): it would exempt every tool; write require_approval='never' if "
                "that is meant"
            )
        # Its credentials are secrets while it lives: a server's echo of one (in an error's
        # message, a frame a warning quotes) is masked like the API key is.
        held = [authorization, *(headers or {}).values()]
        hold_secrets(self, held + (url_secrets(server_url, path=True) if server_url else []))
        self.server_label = server_label
        self.server_url = server_url
        self.connector_id = connector_id
        self.tunnel_id = tunnel_id

    def definition(self) -> p.McpToolDefinition:
        """The wire form, credentials included (it goes only into ``session.update``)."""
        return self._wire.model_copy(update={}, deep=True)

    @property
    def require_approval(self) -> Any:
        return self._wire.require_approval

    @property
    def allowed_tools(self) -> Any:
        return self._wire.allowed_tools

    def allows(self, tool: str, read_only: bool | None) -> bool:
        """Whether ``allowed_tools`` lets the server offer ``tool`` (``read_only``: its
        ``readOnlyHint``, ``None`` when unknown, which no ``read_only`` filter matches)."""
        allowed = self._wire.allowed_tools
        if allowed is None:
            return True
        if isinstance(allowed, list):
            return tool in allowed
        if allowed.tool_names is not None and tool not in allowed.tool_names:
            return False
        # A tool whose hint is unknown matches neither ``read_only: True`` nor ``False``.
        return allowed.read_only is None or read_only is allowed.read_only

    def __repr__(self) -> str:
        target = redact_url(self.server_url, path=False) if self.server_url else None
        target = target or self.connector_id or f"tunnel {self.tunnel_id}"
        secret = " authorization=***" if self._wire.authorization else ""
        headers = f" headers={sorted(self._wire.headers)}=***" if self._wire.headers else ""
        return f"HostedMCP({self.server_label!r}, {target}{secret}{headers})"


def _unknown_keys(wire: p.McpToolDefinition) -> list[str]:
    """The keys of ``wire``'s filters that no filter has, as paths (``require_approval.nevr``)."""
    found: list[str] = []

    def extras(model: Any, path: str) -> None:
        if isinstance(model, p.WireModel):
            found.extend(f"{path}.{key}" for key in model.model_extra or ())

    approval = wire.require_approval
    extras(approval, "require_approval")
    for side in ("always", "never"):
        extras(getattr(approval, side, None), f"require_approval.{side}")
    extras(wire.allowed_tools, "allowed_tools")
    return found


def _http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # (an unclosed IPv6 bracket)
        return False

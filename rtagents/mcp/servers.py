"""The two kinds of local MCP server: a subprocess spoken to over stdin and stdout, and a
server over streamable HTTP (the connection and the tools are ``MCPServer``'s)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._redact import (
    header,
    hold_secrets,
    redact_url,
    url_parts,
    url_secrets,
    without_credentials,
)
from .local import MCPServer


class MCPServerStdio(MCPServer):
    """An MCP server started as a subprocess, spoken to over stdin/stdout.

    ``MCPServerStdio(command="python", args=["server.py"])``. ``env`` adds variables to a
    safe default environment; ``cwd`` sets the working directory.
    """

    def __init__(
        self,
        command: str,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        cwd: str | Path | None = None,
        *,
        name: str | None = None,
        **options: Any,
    ) -> None:
        label = name or _label([*args, command])
        super().__init__(label, **options)
        from mcp import StdioServerParameters

        # A line of its stdout that is not UTF-8 (a library's print of bytes) is read with
        # U+FFFD for what it cannot decode: "strict" killed the client's reader, and every
        # call after waited out its timeout on a connection that still looked alive.
        self._params = StdioServerParameters(
            command=command,
            args=list(args),
            env=dict(env) if env else None,
            cwd=cwd,
            encoding_error_handler="replace",
        )
        # Secrets while this server lives: what its environment and its command line's
        # credential options give it (``--token X``, ``--api-key=X``), which a server that
        # refuses them may quote.
        hold_secrets(self, [*(env or {}).values(), *_credential_args(list(args))])

    # Long enough for the mcp client's own escalation (stdin closed, 2 s, SIGTERM, SIGKILL):
    # a program that ends right after its session would cut that short, and leave a server
    # that ignores its stdin running (and the program waiting on its pipe).
    close_timeout = 5.0

    def _target(self) -> Any:
        return self._params

    def __repr__(self) -> str:
        # Tokens travel on command lines (``--token=...``) as in ``env``: neither is shown.
        count = len(self._params.args)
        shown = f" ({count} argument{'s' if count != 1 else ''})" if count else ""
        return f"<MCPServerStdio {self.name}: {self._params.command}{shown}>"


def _credential_args(args: list[str]) -> list[str]:
    """The values a command line passes to options named as credentials (token, key,
    secret, password, auth): ``--token X`` and ``--token=X`` alike."""
    found: list[str] = []
    for index, arg in enumerate(args):
        name, eq, value = arg.partition("=")
        if name.startswith("-") and _CREDENTIAL.search(name):
            if eq:
                found.append(value)
            elif index + 1 < len(args):
                found.append(args[index + 1])
    return found


_CREDENTIAL = re.compile(r"(?i)token|key|secret|passw|auth")


class MCPServerHTTP(MCPServer):
    """An MCP server over streamable HTTP. Header values (tokens) are secrets: never shown."""

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
        **options: Any,
    ) -> None:
        if not isinstance(url, str):
            raise TypeError(f"MCPServerHTTP takes its url as a str, not {type(url).__name__}")
        if not url.startswith(("http://", "https://")):
            # (the URL is not repeated: a token in its query, a password in it)
            raise ValueError("MCPServerHTTP needs an http(s) URL: one that starts http(s)://")
        url_parts(url)  # one httpx would refuse, refused now (never quoting a password)
        super().__init__(name or _http_label(url), **options)
        self.url = url
        # A value read from a file ends in a newline: stripped, as the API key is (a client
        # refusing it would quote it in the error); never logged.
        self._headers = {key: header(key, v, keep=False) for key, v in (headers or {}).items()}
        # Secrets while this server lives (``https://user:password@host/mcp?token=...``,
        # and a path that is more than ``/mcp``: ``/api/mcp/s/<token>/mcp``).
        hold_secrets(self, [*self._headers.values(), *url_secrets(url, path=True)])
        self._http: Any = None
        self._refused: str | None = None  # the last status of 400 or more it answered

    async def _heard(self, response: Any) -> None:
        """Each response's status: the client's own error for a refused start names none
        (a 401 for a wrong token reads as a crashed server), so the failure adds it. Only a
        request's (a POST): a server without a stream for us answers the GET for one 405."""
        if response.request.method != "POST":
            return
        if response.status_code >= 400:
            self._refused = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        else:  # answering again: a refusal told is one still going on
            self._refused = None

    def _refusal(self) -> str | None:
        return self._refused

    def _target(self) -> Any:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        self._http = create_mcp_http_client(headers=self._headers)
        self._refused = None
        self._http.event_hooks["response"].append(self._heard)
        if "max_sse_event_size" in inspect.signature(streamable_http_client).parameters:
            # The client's own cap on one event (1 MiB; mcp >= 2.3) would fail a result the
            # agent's max_tool_output_bytes allows (a text result travels twice in its event,
            # as content and as structured content), as an error: the agent's limit rules,
            # and this bound only keeps a runaway server from filling memory.
            return streamable_http_client(
                self.url, http_client=self._http, max_sse_event_size=MAX_EVENT_BYTES
            )
        return streamable_http_client(self.url, http_client=self._http)

    def _detach(self) -> Callable[[], Awaitable[None]] | None:
        http, self._http = self._http, None
        return None if http is None else http.aclose

    def __repr__(self) -> str:
        # No password, no query, no path (a service's token may be its path: ``url_secrets``).
        return f"<MCPServerHTTP {self.name}: {redact_url(self.url, path=False)}>"


MAX_EVENT_BYTES = 64 * 2**20
"""The most one server-sent event of an HTTP MCP server may hold (a call's result, twice)."""

_GENERIC = frozenset({"mcp", "sse", "api", "www", "v1", "v2"})


def _http_label(url: str) -> str:
    """An HTTP server's default label: the telling word of its host (``notes`` for
    ``https://notes.example.com/mcp``; an address with its port). Never its path, which
    may carry a secret (``/s/<token>/mcp``), nor its credentials: the label goes into
    events and spans. Two servers of one host need their own ``name=``."""
    parts = urlsplit(without_credentials(url))
    host = parts.hostname or ""
    words = [w for w in host.split(".") if w.lower() not in _GENERIC]
    if not words or words[0].isdigit() or ":" in host or host == "localhost":  # an address
        words = [host, str(parts.port or "")]
    else:
        words = words[:1]
    return re.sub(r"[^a-zA-Z0-9_-]", "_", "_".join(w for w in words if w))[:32] or "mcp"


def _label(parts: Sequence[str]) -> str:
    for part in reversed(parts):
        stem = Path(part.split("?")[0].rstrip("/")).stem
        if stem and not stem.startswith("-"):
            return re.sub(r"[^a-zA-Z0-9_-]", "_", stem)[:32]
    return "mcp"

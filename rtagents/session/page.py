"""What an agent may be when a browser's page is a client of its session.

A page's WebRTC call is made with a client secret minted for it; the app's tools then run on
a sideband session of the same call. The API treats both as clients of one session: it shows
the session's tools to each (a hosted MCP server's ``server_url`` with them, never its
``authorization`` or header values), and takes an approval's answer from either. So an
agent with a hosted MCP server that asks for approval could be approved by the page, over
the app's policy, and one whose URL carries a credential would hand the page that
credential. Such an agent is never given a page: not at the mint (``page_refusal``, which
follows its handoffs), and not later: each agent the session takes (``check_taken``: by
``update_agent``, a handoff, a handoff's function that makes a different agent at the
transfer than at the mint) and each configuration it sends (``check_page``: an agent changed
in place since, sent again after a drop) is held to ``own_refusal``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .._redact import redact, url_credentials
from ..errors import root_cause

if TYPE_CHECKING:
    from ..agent import Agent

log = logging.getLogger("rtagents.session")


def page_refusal(agent: Agent) -> str | None:
    """Why a page must not be given a session of ``agent`` (``None``: it may), read from
    the sessions it would run: its own and those of every agent it hands off to."""
    from ..agent import Handoff  # (at run time here: the agent module imports sessions')

    seen: set[int] = set()
    agents = [agent]
    while agents:
        current = agents.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if reason := own_refusal(current):
            return reason
        for target in current.handoffs:
            try:  # (a function names the agent: made here, as a session would make it)
                agents.append((target if isinstance(target, Handoff) else Handoff(target)).agent())
            except Exception as exc:  # fail closed: what it would hand off to is unknown
                why = _failed(exc, f"the agent {current.name!r} could not make its handoff")
                return f"the agent {current.name!r} hands off to an agent it could not make {why}"
    return None


def own_refusal(agent: Agent) -> str | None:
    """Why a session a page is a client of must not take ``agent`` itself (``None``: it
    may), read from the session it configures (``session_options`` included)."""
    try:
        tools = agent.session_config(tracing="omit").model_dump(exclude_unset=True)
    except Exception as exc:  # fail closed: what the page would get is unknown
        why = _failed(exc, f"the agent {agent.name!r} has no session")
        return f"the agent {agent.name!r} has no session a page could be given {why}"
    for tool in tools.get("tools") or ():
        if reason := _hosted_refusal(agent.name, tool):
            return reason
    return None


def _failed(exc: Exception, what: str) -> str:
    """What the app's code raised, as a refusal a page may be told says it: its type only
    (its message may quote what the app holds: a database URL, a token); the rest is logged,
    masked."""
    log.warning("%s: %s", what, redact(root_cause(exc)))
    return f"({type(exc).__name__}: see the server's log)"


def check_taken(agent: Agent, page_client: bool) -> None:
    """Raise if the session may not take ``agent`` (``page_client``: a page is a client of
    it): changed in place since it was made so that it cannot run, or one a page must not
    be given. Before anything of the session changes."""
    agent.check()
    check_page(agent, page_client)


def check_page(agent: Agent, page_client: bool) -> None:
    """Raise if ``agent`` is one a page must not be given: for each configuration sent too
    (an agent changed in place since it was taken goes as it is now, after a drop say)."""
    if page_client and (reason := own_refusal(agent)):
        raise ValueError(f"not taken on a browser's call: {reason}")


def _hosted_refusal(agent: str, tool: dict[str, Any]) -> str | None:
    if tool.get("type") != "mcp":
        return None
    label = tool.get("server_label")
    if tool.get("require_approval", "always") != "never":  # (the API's default asks)
        return (
            f"the agent {agent!r} has a hosted MCP server that asks for approval ({label!r}): "
            "a page, a client of the session, could answer its approval requests itself; give "
            "browsers an agent whose hosted servers never ask (require_approval='never'), or "
            "a local MCPServer, whose calls the server approves"
        )
    url = tool.get("server_url")
    if isinstance(url, str) and url_credentials(url):
        return (
            f"the agent {agent!r} has a hosted MCP server whose URL carries a credential "
            f"({label!r}): the API shows a session's tools to every client of it, the page "
            "included; put the credential in its authorization or headers (never shown), or "
            "use a local MCPServer, which the server runs"
        )
    return None

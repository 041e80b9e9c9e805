"""What the server runs, for a new connection to run it too: the agent whose configuration it
last took, and the voice it speaks in when that is not the agent's own.

A handoff after the assistant spoke keeps the voice (the Realtime API refuses a new one once
assistant audio is in the conversation): a drop then must not change the voice the user hears.
An agent taken while the connection was down (``update_agent`` offline) is first sent to the
new connection; if that refuses it, the session goes back to the agent the server last took,
as it would have online, rather than end.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..agent import Agent
from ..errors import SessionConfigError
from .events import SessionWarning


class Served(Protocol):
    served_agent: Agent | None
    """The agent whose configuration the server last took."""
    served_voice: str | None
    """The voice it speaks in when not that agent's own, which a configuration withheld."""


class _Session(Served, Protocol):
    @property
    def agent(self) -> Agent: ...

    @property
    def tools(self) -> object: ...  # (compared by identity: each ``use`` makes new ones)

    async def configure(self, agent: Agent, *, force: bool, voice: str | None) -> bool: ...

    def use(self, agent: Agent) -> None: ...

    def deliver(self, event: Any) -> None: ...


# Functions on the session's own two attributes, not an object of its own: an idle session
# keeps no more objects for the collector to scan (see performance.md, "Density").


def took(session: Served, agent: Agent, sent: Agent, reply: Any, voice: str | None) -> None:
    """The server took ``sent``, the configuration of ``agent`` (``voice``: sent in that
    voice, not the agent's); ``reply`` is its ``session.updated``. (Or a handoff made while
    the connection was down, in the voice the user heard: ``voice``, no reply; the next
    connection takes it so.)"""
    session.served_agent = agent
    session.served_voice = voice or _withheld(sent, agent, reply)


async def reconfigure(session: _Session) -> bool:
    """A new connection given what the server ran (False: it dropped meanwhile). An agent
    taken while this waits (offline: not sent) goes too."""
    while True:
        tools, agent = session.tools, session.agent  # (the tools are new at each ``use``)
        # The agent the server ran speaks in the voice the user heard; one taken since, in
        # its own (if the new connection refuses it, the one it ran goes on, in that voice).
        voice = session.served_voice if agent is session.served_agent else None
        try:
            if not await session.configure(agent, force=True, voice=voice):
                return False
        except SessionConfigError as exc:
            served = session.served_agent
            if served is None or served is agent or exc.code == "timeout":
                raise
            session.deliver(SessionWarning(f"{agent.name} was not taken on: {exc}"))
            session.use(served)  # taken offline, refused now: the one it ran goes on
            continue
        if session.tools is tools:
            return True


def _withheld(sent: Agent, agent: Agent, reply: Any) -> str | None:
    """The voice the server took ``sent`` in, when the configuration withheld ``agent``'s
    own (a handoff after the assistant spoke); ``None`` otherwise."""
    audio = getattr(reply.session, "audio", None)
    spoken = getattr(getattr(audio, "output", None), "voice", None)
    withheld = sent.voice is None and agent.voice not in (None, spoken)
    return spoken if withheld and isinstance(spoken, str) else None

"""What an ``Agent`` is on GPT-Live: how it runs there (``LiveOptions``), and the work the
Live model hands to the app (``Delegation``) with the answers it takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from . import protocol as p


@dataclass(frozen=True)
class LiveOptions:
    """How an agent runs on GPT-Live (``rtagents.connect(agent, api="live")``); the Realtime
    API ignores it. The agent's ``instructions`` go to the Live model (the voice), and its
    tools to the backend the Live model delegates work to.

    Args:
        model: The Live model (``gpt-live-1``).
        backend_model: The Responses model that runs delegated work with the agent's tools.
        backend_instructions: The backend's instructions; ``None`` gives it the agent's
            ``instructions`` too (its business rules and tool workflows), ``""`` none.
        delegation: Who does delegated work: ``"responses"`` (the backend, with the agent's
            tools run by this process), ``"client"`` (the app's ``Agent.on_delegation``),
            ``"decisions"`` (the Decision API answers ``decisions``' questions, told as
            ``decision.event``), or ``"auto"``: responses with tools, else client.
        acknowledgement_delay_ms: How long the Live model waits before acknowledging a
            delegation aloud (the server's default when ``None``).
        decisions: The questions of a ``"decisions"`` delegation, and its model: a
            ``protocol.live.DecisionsConfig`` or its JSON (``{"model": ..., "questions":
            [...]}``). Transcript triggers go in ``session_options["triggers"]``.
        session_options: Any other field of the Live session config, merged last.
    """

    model: str = "gpt-live-1"
    backend_model: str = "gpt-5.5"
    backend_instructions: str | None = None
    delegation: Literal["auto", "responses", "client", "decisions"] = "auto"
    acknowledgement_delay_ms: int | None = None
    decisions: p.WireModel | dict[str, Any] | None = None
    session_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Said here, where the options are written, not at connect() or a handoff.
        if self.delegation not in _DELEGATIONS:
            raise ValueError(
                f"LiveOptions(delegation={self.delegation!r}): use one of "
                + ", ".join(map(repr, _DELEGATIONS))
            )
        options = self.session_options
        if not isinstance(options, dict):
            raise TypeError(f"LiveOptions(session_options=...) takes a dict, not {options!r:.60}")
        delegation = options.get("delegation") or {}
        if not isinstance(delegation, dict):
            raise TypeError(
                'LiveOptions(session_options={"delegation": ...}) takes a dict (the '
                f"session's delegation settings), not {delegation!r:.60}"
            )
        given = delegation.get("decisions")
        if self.delegation == "decisions" and self.decisions is None and given is None:
            raise ValueError(
                'LiveOptions(delegation="decisions") needs decisions={"model": ..., '
                '"questions": [...]}'
            )


_DELEGATIONS = ("auto", "responses", "client", "decisions")


@dataclass(frozen=True)
class Utterance:
    """A stretch of the conversation's transcript: who spoke, and what."""

    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True)
class Delegation:
    """Work the GPT-Live model handed to the app (client delegation), for
    ``Agent.on_delegation``: ``transcript`` is what was said since the last delegation."""

    id: str
    transcript: tuple[Utterance, ...] = ()
    session: Any = None
    """The session (a ``RealtimeSession``) the delegation came from."""

    @property
    def user_text(self) -> str:
        """What the user said since the last delegation."""
        return " ".join(u.text.strip() for u in self.transcript if u.role == "user").strip()


@dataclass(frozen=True)
class Thinking:
    """A silent answer to a delegation (``session.thinking.append``): context for the Live
    model that it does not speak as such. A plain ``str`` answer is spoken (commentary)."""

    text: str


DelegationAnswer = Union[str, Thinking, None]
DelegationHook = Callable[[Delegation], Union[DelegationAnswer, Awaitable[DelegationAnswer]]]
"""``Agent.on_delegation``: sync or async; a ``str`` is spoken, ``Thinking`` is silent,
``None`` answers nothing (the app answers later, with ``session.commentary``)."""

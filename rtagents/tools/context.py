"""What a tool may ask to be given: the call, the session, the agent and the app's deps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Protocol

from typing_extensions import TypeVar

DepsT = TypeVar("DepsT", default=Any)
DepsT_co = TypeVar("DepsT_co", covariant=True, default=Any)


class ToolAgent(Protocol):
    """What a tool sees of the agent running it (an ``rtagents.Agent``)."""

    @property
    def name(self) -> str: ...


class ToolSession(Protocol[DepsT_co]):
    """What a tool may do with the session running it (a ``RealtimeSession``): declared
    here, so that ``tools`` needs nothing above it, even for types."""

    @property
    def id(self) -> str | None: ...

    @property
    def deps(self) -> DepsT_co: ...

    async def send_text(self, text: str, *, respond: bool = True) -> None: ...

    async def create_response(self, **overrides: Any) -> None: ...

    async def update_agent(self, agent: Any) -> None:
        """Hand the session to another agent (an ``rtagents.Agent``)."""


@dataclass
class ToolContext(Generic[DepsT]):
    """Injected into a tool that has a parameter annotated ``ToolContext`` (or
    ``ToolContext[MyDeps]``, to type ``deps``).

    The parameter never appears in the tool's JSON schema. ``session`` is the
    ``RealtimeSession`` running the call, ``agent`` its
    ``Agent``, and ``deps`` what the app passed as ``connect(..., deps=...)``:
    a database, an HTTP client, the caller's account (all ``None`` outside a session).
    ``arguments`` are the call's arguments as the tool receives them, by parameter name.
    """

    call_id: str
    tool_name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    session: ToolSession[DepsT] | None = None
    agent: ToolAgent | None = None
    deps: DepsT = None  # type: ignore[assignment]

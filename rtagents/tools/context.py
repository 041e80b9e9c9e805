"""What a tool may ask to be given: the call, the session, the agent and the app's deps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol

from typing_extensions import TypeVar

from ..protocol.live import fit_note

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

    ``await ctx.progress("checking the calendar")`` tells the user how a long call goes.
    """

    call_id: str
    tool_name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    session: ToolSession[DepsT] | None = None
    agent: ToolAgent | None = None
    deps: DepsT = None  # type: ignore[assignment]

    async def progress(self, text: str) -> None:
        """Say how the work goes, while the call runs ("checking the calendar").

        In a session it is spoken as a short update beside the conversation (on the
        Realtime API an out-of-band response, asked for when no response is active; on
        GPT-Live, commentary): never in place of the call's answer, which still comes once.
        While it waits, a later update replaces it; once the call has its output, it is
        dropped. Outside a session (a tool called directly) it does nothing; it goes from
        the call's own task (and the tasks the tool starts).

        Raises:
            TypeError: ``text`` is not a string.
            ValueError: ``text`` is blank, or longer than 500 characters (or than one
                GPT-Live note holds, by ``protocol.live.fit_note``: about 240 characters
                outside ASCII).
        """
        if not isinstance(text, str):
            raise TypeError(f"progress takes a str, not {type(text).__name__}")
        text = text.strip()
        if not text:
            raise ValueError("progress needs some text: it was empty")
        if len(text) > MAX_PROGRESS_CHARS or fit_note(text) is not None:
            raise ValueError(
                f"a progress update is short: at most {MAX_PROGRESS_CHARS} characters (and "
                f"what one GPT-Live note holds: fewer outside ASCII), not {len(text)}"
            )
        sink = _progress_sink.get()
        if sink is not None:
            await sink(self.call_id, text)


MAX_PROGRESS_CHARS = 500
"""The longest progress update (GPT-Live's commentary takes at most 500 tokens)."""

ProgressSink = Callable[[str, str], Awaitable[None]]
"""Where a call's progress updates go: ``sink(call_id, text)``."""

# Set by the session in each call's own task, not on the context: the context holds only what
# a tool uses, and how the session runs the call is the session's (see ``Invocation``).
_progress_sink: ContextVar[ProgressSink | None] = ContextVar("rtagents_progress", default=None)


def report_progress_to(sink: ProgressSink | None) -> None:
    """Where ``ToolContext.progress`` goes from the current task (and the tasks it starts):
    the session sets it in each call's task. Unset (a tool called directly), it goes nowhere."""
    _progress_sink.set(sink)

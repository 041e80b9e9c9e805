"""``RealtimeSession``: what the app talks to (the runner below it does the work)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from .. import protocol as p
from ..approvals import ApprovalRequest
from .events import SessionEvent
from .runner import SessionRunner
from .stream import Handler
from .tooling import local_servers

if TYPE_CHECKING:
    from ..agent import Agent


class RealtimeSession(SessionRunner):
    """A connected Realtime session. Made by :func:`rtagents.connect`.

    Iterate it for events (``async for event in session``): the server's events, typed,
    and the framework's (``tool.call.started``, ``approval.requested``, ...). Tool calls
    are dispatched by the session itself; the app only watches, or answers approvals.
    """

    # -- the app's API -----------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[SessionEvent]:
        return self

    async def __anext__(self) -> SessionEvent:
        event: SessionEvent = await self._stream.next()
        return event

    def on(self, kind: str) -> Callable[[Handler], Handler]:
        """Register a handler for events of ``kind`` (``"*"`` for all); sync or async."""

        def register(handler: Handler) -> Handler:
            self._stream.on(kind, handler)
            return handler

        return register

    async def send_text(self, text: str, *, respond: bool = True) -> None:
        """Add a user message; with ``respond`` (the default), ask the model to answer it."""
        item = p.UserMessage(content=[p.UserContent(type="input_text", text=text)])
        await self._send(p.ConversationItemCreate(event_id=self._core.next_event_id(), item=item))
        if respond:
            await self.create_response()

    async def ask(self, text: str) -> list[SessionEvent]:
        """Send a user message and read events until the answer is complete: the response
        that ends with an assistant message, tool calls and approvals followed through.

        Returns the events read (handlers see them too). Handy in scripts, tests and CLIs;
        a voice app usually iterates the session instead.
        """
        await self.send_text(text)
        events: list[SessionEvent] = []
        async for event in self:
            events.append(event)
            if event.type == "session.closed":
                break
            if (
                event.type == "response.done"
                and event.response.output
                and event.response.output[-1].type == "message"
            ):
                break
        return events

    async def send_audio(self, pcm: bytes) -> None:
        """Append audio (in the session's input format) to the input buffer."""
        # The hot path of a voice session: build the frame directly, no model round trip.
        audio = base64.b64encode(pcm).decode("ascii")
        await self._send_text('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')

    async def commit_audio(self) -> None:
        """Commit the input buffer as a user message (when turn detection is off)."""
        await self._send(p.InputAudioBufferCommit(event_id=self._core.next_event_id()))

    async def create_response(self, **overrides: Any) -> None:
        """Ask the model for a turn; ``overrides`` are ``response.create`` parameters."""
        params = p.ResponseCreateParams(**overrides) if overrides else None
        await self._execute(self._core.request_response(params))

    async def cancel_response(self) -> None:
        """Cancel the response in progress."""
        await self._send(p.ResponseCancel(event_id=self._core.next_event_id()))

    async def interrupt(self, played_ms: int | None = None) -> None:
        """Barge in: cancel the response, truncate the assistant audio to ``played_ms`` (what
        the user heard), and cancel the ``cancel_on_interrupt`` tools. Emits
        ``audio.interrupted`` for the app's player to stop."""
        await self._execute(self._core.interrupt(played_ms))

    async def approve(self, request_id: str, *, remember: str = "once") -> bool:
        """Approve a pending request (from a UI or a voice confirmation)."""
        return self.approvals.resolve(request_id, True, remember=remember)

    async def deny(
        self, request_id: str, reason: str | None = None, *, remember: str = "once"
    ) -> bool:
        """Decline a pending request; ``reason`` is told to the model."""
        return self.approvals.resolve(request_id, False, reason, remember=remember)

    @property
    def pending_approvals(self) -> list[ApprovalRequest]:
        return self.approvals.pending

    async def update_agent(self, agent: Agent) -> None:
        """Hand the session to another agent: new instructions and tools via ``session.update``.

        Calls already running finish with the tools they started with. Local MCP servers of
        the new agent must be connected already (``async with server:`` around both)."""
        for server in local_servers(agent.tools):
            if server._client is None:
                raise RuntimeError(
                    f"MCP server {server.name!r} of agent {agent.name!r} is not connected"
                )
        self._use(agent)
        self.approvals.policy = agent.approval or self.approvals.policy
        await self._configure(agent)

    def __repr__(self) -> str:
        state = f"closed: {self.closed_reason}" if self.closed_reason else "open"
        return f"<RealtimeSession agent={self.agent.name!r} id={self.id} {state}>"

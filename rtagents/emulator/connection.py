"""The shell around one emulator connection: it runs a server core (Realtime's ``ServerCore``
or GPT-Live's ``LiveCore``) over any frame transport, with the real clock, the model and the
hosted MCP clients.

All the server's decisions are the core's. This file only moves frames, keeps time and
performs the core's requests, so that every transport (a websocket, an in-process pipe)
gets the same server.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import math
import time
import weakref
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable, Collection, Sequence
from typing import Any, Generic, TypeVar

import anyio
import anyio.to_thread
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectSendStream

from ..errors import root_cause
from ..protocol import WireModel
from .actions import (
    CONNECTION_BOUND,
    AskModel,
    CallHostedTool,
    Disconnect,
    ListHostedTools,
    Send,
    Speak,
)
from .core import ServerCore
from .faults import Fault
from .mcp_clients import HostedMCPClients
from .models import Model, as_turn
from .serving_core import ServingCore
from .settings import ServerSettings

log = logging.getLogger("rtagents.emulator")

SendFrame = Callable[[str], Awaitable[None]]
Watcher = Callable[[dict[str, Any]], None]
"""Told of each server event a connection sends (as a dict): a simulated caller."""
Outgoing = Callable[[dict[str, Any]], list[dict[str, Any]]]
"""What a transport makes of each server event before it goes out: a WebRTC call's audio
goes over RTP, so its deltas become the output audio buffer's events. It returns the event
it was given, unchanged, to send it as it is (its frame is made already): it must not edit
it in place."""
EndConnection = Callable[[int, str, bool], Awaitable[None]]
"""Ends the connection: with a close frame of (code, reason), or a TCP reset when true."""
_ELIDED = {
    "input_audio_buffer.append": "audio",
    "response.output_audio.delta": "delta",
    "session.input_audio.append": "audio",  # GPT-Live's
    "session.output_audio.delta": "delta",
}


_SERVING: weakref.WeakKeyDictionary[Any, weakref.ref[Connection[Any]]] = weakref.WeakKeyDictionary()
"""The connection serving each core now (neither kept alive by this)."""
_REQUESTS: weakref.WeakKeyDictionary[Any, set[asyncio.Task[None]]] = weakref.WeakKeyDictionary()
"""Each core's requests in flight (the model's, the voice's), whichever connection made them."""


def let_go(core: Any) -> None:
    """``core``'s session is over, or no connection will attach to it any more: its requests
    in flight are cancelled (a hung model must not hold it, nor run on)."""
    for task in _REQUESTS.pop(core, ()):
        task.cancel()


C = TypeVar("C", bound=ServingCore)


class Connection(Generic[C]):
    """One client's connection to the emulator, as tests see it: the session, the
    conversation, the latest frames each way (``received``, ``sent``), and faults."""

    def __init__(
        self,
        core: C,
        model: Model,
        clients: HostedMCPClients,
        *,
        record: int,
        tasks: set[asyncio.Task[None]] | None = None,
    ) -> None:
        self.core = core
        _SERVING[core] = weakref.ref(self)  # (a session attached to again: its next one)
        # The session's requests (the model's, the voice's) run as tasks of their own, in
        # ``tasks`` (the emulator's, which its stop ends): a connection that drops leaves
        # them to finish into a session that outlives it (``keeps_work``; see ``let_go``).
        self._tasks: set[asyncio.Task[None]] = set() if tasks is None else tasks
        self._model = model
        self._clients = clients
        # A test tap, bounded: the latest frames each way, with audio kept as its size
        # only (an hour of audio would otherwise be kept for the connection's life).
        self.received: deque[dict[str, Any]] = deque(maxlen=record)
        self.sent: deque[dict[str, Any]] = deque(maxlen=record)
        self._send: SendFrame | None = None
        self._wake = anyio.Event()
        self._drained = anyio.Event()  # (see _read: set while the client keeps up)
        # The core's clock goes on from where it is (a GPT-Live session attached to again).
        self._clock0 = time.monotonic() - core.now_ms / 1000
        self._watchers: list[tuple[Watcher, Collection[str] | None]] = []
        self.closed = anyio.Event()
        self.outgoing: Outgoing | None = None
        self._pushed: deque[dict[str, Any]] = deque()
        self._joined: list[MemoryObjectSendStream[str]] = []
        self._ended = (1000, "the session ended")
        self.ending = False  # the server is ending it: its close is under way (see attach)

    @property
    def session(self) -> dict[str, Any]:
        return self.core.session

    @property
    def conversation(self) -> Any:
        return self.core.conversation

    def now_ms(self) -> float:
        return (time.monotonic() - self._clock0) * 1000

    def add_fault(self, fault: Fault) -> None:
        """Inject a fault into this connection from now on (see ``rtagents.emulator.faults``)."""
        self.core.add_fault(fault)
        self._wake.set()

    def drop(self, code: int = 1011, reason: str = "emulator dropped the connection") -> None:
        """Close the connection abruptly (code 1011 by default), as a crashing server would."""
        self.core.drop(code, reason)
        self._wake.set()

    def watch(self, watcher: Watcher, kinds: Collection[str] | None = None) -> None:
        """Call ``watcher`` with each server event this connection sends (a simulated
        caller listens this way), or only with those of the types in ``kinds``: an event
        no one watches is never made into a dict, only into its frame."""
        if isinstance(kinds, str):  # a string is a collection too: of its letters
            raise TypeError(f"kinds is a collection of event types, not the string {kinds!r}")
        self._watchers.append((watcher, kinds))

    def inject(self, event: dict[str, Any]) -> None:
        """Handle a client event that did not come over this connection: what a phone
        caller does on a call whose sideband this is."""
        self.act(lambda core: core.receive(json.dumps(event)))

    def feed(self, frame: str | bytes) -> None:
        """One client frame, from any transport of this connection."""
        self.core.advance(self.now_ms())
        raw = self.core.receive(frame)
        if raw is not None and self.received.maxlen:
            self.received.append(_tapped(raw))
        self._wake.set()

    def push(self, event: dict[str, Any]) -> None:
        """Send a server event the transport made (a WebRTC call's output audio buffer is
        the transport's: it says when the audio it holds has played)."""
        self._pushed.append(event)
        self._wake.set()

    async def join(
        self,
        frames: AsyncIterable[str | bytes],
        send: SendFrame,
        end: EndConnection,
        first: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Serve a second transport of this connection (a WebRTC call's sideband): it gets
        ``first``, then every server event from now on, and its frames go to the same
        core, until it leaves or the connection ends (then it is closed as it was)."""
        sender, events = anyio.create_memory_object_stream[str](max_buffer_size=math.inf)
        for event in first:
            sender.send_nowait(_frame(event))
        if self.closed.is_set():
            sender.close()
        self._joined.append(sender)

        async def forward(tg: TaskGroup) -> None:
            async with events:
                async for frame in events:
                    await send(frame)
            await end(*self._ended, False)
            tg.cancel_scope.cancel()

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(forward, tg)
                async for frame in frames:
                    self.feed(frame)
                tg.cancel_scope.cancel()  # the sideband left
        except Exception as exc:
            log.debug("emulator sideband ended: %s", root_cause(exc))
        finally:
            if sender in self._joined:
                self._joined.remove(sender)
            sender.close()
            events.close()  # (``forward`` closes it, unless cancelled before it began)

    def act(self, step: Callable[[C], object]) -> None:
        """Change the core from outside this connection (the simulated phone: a caller
        speaks, the call is hung up), then let the connection go on."""
        self.core.advance(self.now_ms())
        step(self.core)
        self._wake.set()

    async def send_raw(self, frame: str | bytes) -> None:
        """Send any frame, valid or not: for testing how a client copes with bad input."""
        if self._send is not None:
            await self._send(frame)  # type: ignore[arg-type]

    # -- the loop --------------------------------------------------------------------------

    async def serve(
        self, frames: AsyncIterable[str | bytes], send: SendFrame, end: EndConnection
    ) -> None:
        """Run the connection until either side ends it."""
        self._send = send
        try:
            self.core.start()
            async with self._clients.held(), anyio.create_task_group() as tg:
                tg.start_soon(self._read, frames, tg)
                await self._write(tg, send, end)
                tg.cancel_scope.cancel()
        except Exception as exc:  # the transport failed under us: the connection is over
            log.debug("emulator connection ended: %s", root_cause(exc))
        finally:
            self.core.close()
            if not self.core.keeps_work:
                let_go(self.core)
            self._clients.close()
            for joined in self._joined:
                joined.close()
            self.closed.set()

    async def _read(self, frames: AsyncIterable[str | bytes], tg: TaskGroup) -> None:
        try:
            async for frame in frames:
                self.feed(frame)
                if len(self.core.out) > _BACKLOG:  # a client that does not read what it is
                    self._drained = anyio.Event()  # sent is read no more until it does (TCP
                    await self._drained.wait()  # pushes back on it): memory stays bounded
        except Exception as exc:
            log.debug("emulator connection lost: %s", root_cause(exc))
        tg.cancel_scope.cancel()  # the client left

    async def _write(self, tg: TaskGroup, send: SendFrame, end: EndConnection) -> None:
        core = self.core
        while True:
            core.advance(self.now_ms())
            if self._pushed:
                pushed = self._pushed.popleft()
                await self._send_frame(_frame(pushed), pushed, send)
                continue
            action = core.next_action()
            if action is None:
                if core.closed:
                    return
                due = core.wake_at()
                with anyio.move_on_after(None if due is None else (due - self.now_ms()) / 1000):
                    await self._wake.wait()
                self._wake = anyio.Event()
            elif isinstance(action, Send):
                await self._send_event(action.event, send)
                if len(core.out) <= _BACKLOG // 2:
                    self._drained.set()
                # Let a client event that came meanwhile (a cancel) in before the next one.
                # (The emulator runs on asyncio: its plain yield is a third of anyio's.)
                await asyncio.sleep(0)
            elif isinstance(action, Disconnect):
                self._ended, self.ending = (action.code, action.reason), True
                await end(action.code, action.reason, action.reset)
                return
            elif isinstance(action, CONNECTION_BOUND):  # (its clients go with it)
                tg.start_soon(self._perform, action)
            else:
                task = asyncio.get_running_loop().create_task(self._perform(action))
                for tasks in (self._tasks, _REQUESTS.setdefault(core, set())):
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)

    async def _send_event(self, event: WireModel, send: SendFrame) -> None:
        # Serialised straight to its frame (pydantic's own JSON, no dict between): most
        # events are only sent, and a dict is made only for a tap, a watcher or a transport
        # that wants one.
        frame = event.model_dump_json(by_alias=True, exclude_unset=True)
        kind = getattr(event, "type", None)
        wanted = self.sent.maxlen or self.outgoing is not None
        if not wanted:
            wanted = any(_wants(kinds, kind) for _, kinds in self._watchers)
        if not wanted:
            await self._send_frame(frame, None, send)
            return
        data: dict[str, Any] = json.loads(frame)
        if self.outgoing is None:
            await self._send_frame(frame, data, send)
            return
        for out in self.outgoing(data):
            await self._send_frame(frame if out is data else _frame(out), out, send)

    async def _send_frame(self, frame: str, data: dict[str, Any] | None, send: SendFrame) -> None:
        """One frame out, to the client and each joined sideband; ``data`` (the event as a
        dict) for the tap and the watchers, ``None`` when none of them wants it."""
        if data is not None:
            if self.sent.maxlen:
                self.sent.append(_tapped(data))
            kind = data.get("type")
            for watcher, kinds in self._watchers:
                if _wants(kinds, kind):
                    watcher(data)
        for joined in self._joined:
            with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                joined.send_nowait(frame)  # unless that sideband is leaving
        await send(frame)

    async def _perform(self, request: AskModel | ListHostedTools | CallHostedTool | Speak) -> None:
        answer: Any
        try:
            if isinstance(request, Speak):
                answer = await _speak(self.core.settings, request.text)
            elif isinstance(request, AskModel):
                answer = self._model.respond(request.context)
                if inspect.isawaitable(answer):
                    answer = await answer
                answer = as_turn(answer)  # (a str is said, as in a script)
            elif isinstance(request, ListHostedTools):
                answer = await self._clients.list_tools(request.config)
            else:
                answer = await self._clients.call_tool(
                    request.config, request.name, request.arguments
                )
        except Exception as exc:
            answer = exc
        self.core.resolve(request.ticket, answer)
        serving = _SERVING.get(self.core)
        ((serving and serving()) or self)._wake.set()  # whichever connection serves it now


_BACKLOG = 1024
"""Events queued for a client past which its frames are read no more until it reads."""


class EmulatorConnection(Connection[ServerCore]):
    """A Realtime connection (GPT-Live's is a ``Connection[LiveCore]``)."""


async def _speak(settings: ServerSettings, text: str) -> bytes:
    """The voice runs in a worker thread (espeak-ng is a process): the loop serves every
    other connection meanwhile. What was said before comes from the cache, at once."""
    voice = settings.voice
    pcm = voice.cached(text)
    if pcm is None:
        pcm = await anyio.to_thread.run_sync(voice.speak, text, abandon_on_cancel=True)
    return pcm


def _tapped(event: dict[str, Any]) -> dict[str, Any]:
    field = _ELIDED.get(event.get("type", ""))
    if field is not None and isinstance(event.get(field), str):
        return {**event, field: f"<{len(event[field])} base64 chars>"}
    return event


def _wants(kinds: Collection[str] | None, kind: object) -> bool:
    """Whether a watcher of ``kinds`` (all, when ``None``) is told of an event of ``kind``."""
    return kinds is None or kind in kinds


def _frame(event: dict[str, Any]) -> str:
    """An event made as a dict (by a transport, or pushed), in the same compact JSON as
    pydantic's frames: a connection's frames all look alike."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)

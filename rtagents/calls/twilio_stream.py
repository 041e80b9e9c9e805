"""The ``/twilio`` websocket of a ``CallServer``: each Twilio media stream is routed like
any call and bridged to a Realtime session (the messages themselves are in ``twilio``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectSendStream
from starlette.websockets import WebSocket, WebSocketState

from .._either import call_either, detach, let_go
from ..agent import Agent
from ..errors import RtagentsError, SessionClosedError, root_cause
from ..session.connect import connect
from .access import allowed, check_threads
from .control import (
    HUNG_UP,
    CallHandle,
    CallRecord,
    IncomingCall,
    Reject,
    SessionLost,
    enter_call,
)
from .inbound import shown
from .lifecycle import CallLifecycle
from .registry import GOODBYE_S
from .twilio import (
    TwilioPlayer,
    TwilioStreamError,
    TwilioStreams,
    decode_message,
    media_payload,
    parse_start,
    part,
)

log = logging.getLogger("rtagents.calls.twilio")


class TwilioEndpoint:
    """The ASGI websocket endpoint: each stream that starts is a call of ``calls``."""

    def __init__(
        self, calls: CallLifecycle, settings: TwilioStreams, url: str, api_key: str | None
    ) -> None:
        self.calls = calls
        self.settings = settings
        self.url = url
        self.api_key = api_key
        # The calls streaming here, each with its stream (whether Twilio stopped it: its end
        # is under way, and the call's next stream waits for it, see ``_claim``).
        self.streaming: dict[str, _Stream] = {}
        self._checks = check_threads()  # the app's authorize (beside the signature's)

    async def serve(self, websocket: WebSocket) -> None:
        """One stream, from its handshake to its end."""
        settings = self.settings
        check = "the X-Twilio-Signature check"
        timeout = settings.start_timeout
        if not await allowed(settings.signed, websocket, timeout, self._checks, check=check):
            await websocket.close(code=1008)  # before accepting: HTTP 403
            return
        await websocket.accept()
        try:
            with anyio.fail_after(settings.start_timeout):
                start = await _stream_start(websocket)
        except (TimeoutError, TwilioStreamError) as exc:
            log.warning("a Twilio stream did not start: %s", str(exc) or "no start message in time")
            await _close(websocket, 1008)
            return
        call = IncomingCall(start.call_sid, parameters=start.parameters, source="twilio")
        if self.calls.draining:
            await _close(websocket, 1013)  # try again later: another replica
            return
        try:  # (again: TwiML may stream a call again once its stream ended, as <Redirect>)
            claimed = await self._claim(call.call_id)
        except Exception as exc:  # the registry is away: Twilio may try again, elsewhere
            log.warning("claiming call %s failed: %s", call.call_id, root_cause(exc))
            await _close(websocket, 1013)
            return
        if not claimed:
            log.warning("a second stream for call %s, still live, was refused", call.call_id)
            await _close(websocket, 1008)
            return
        stream = self.streaming[call.call_id] = _Stream()
        try:
            await self.calls.run(call, TwilioCall(self, websocket, start.stream_sid, stream))
        finally:
            if self.streaming.get(call.call_id) is stream:  # (not the call's next one's)
                del self.streaming[call.call_id]
            await _close(websocket, 1000)

    async def _claim(self, call_id: str) -> bool:
        """The claim of a call's stream, which may be its next (TwiML streams a call again
        once a stream ended: a ``<Redirect>``, a REST update). Twilio opens the next stream
        as it stops the last, whose end is still under way then (its session closing, its
        claim released; on this replica or another): the claim is tried again until that
        end, within ``claim_timeout``. A stream of a call that streams here, not stopped, is
        a second stream: refused at once."""
        deadline = anyio.current_time() + self.calls.claim_timeout
        while True:
            stream = self.streaming.get(call_id)
            if stream is not None and not stream.stopped:
                return False
            if await self.calls.claim(call_id, again=True):
                return True
            if anyio.current_time() >= deadline:
                return False
            await anyio.sleep(_CLAIM_AGAIN_S)


@dataclass
class _Stream:
    stopped: bool = False  # Twilio stopped it (or it dropped): the stream's end is under way


class TwilioCall:
    """A Twilio stream as a call: it is up once it starts, and ends with its websocket (a
    rejected stream is closed, and Twilio goes on with the next TwiML verb)."""

    def __init__(
        self, endpoint: TwilioEndpoint, websocket: WebSocket, stream_sid: str, stream: _Stream
    ) -> None:
        self.endpoint = endpoint
        self.websocket = websocket
        self.stream_sid = stream_sid
        self.stream = stream

    def listing(self) -> None:
        return None  # no other replica can take a stream over: it ends with its websocket

    up_already = True  # the stream is up

    async def accept(self, agent: Agent) -> None:
        pass

    async def reject(self, decision: Reject) -> None:
        pass  # the endpoint closes the stream

    async def hang_up(self) -> None:
        pass  # the endpoint closes the stream

    async def ending(self) -> None:
        return None  # the app ends a stream by closing it (see TwilioEndpoint)

    async def connect(self, record: CallRecord, agent: Agent) -> str | None:
        """Caller <-> agent until either side ends: u-law passed through both ways."""
        websocket, settings = self.websocket, self.endpoint.settings
        outgoing, to_send = anyio.create_memory_object_stream[dict[str, Any]](float("inf"))
        player = TwilioPlayer(self.stream_sid, outgoing.send_nowait)
        ended = anyio.Event()

        # Set once every mark sent so far is echoed. A fresh one for a wait once it was set:
        # an earlier answer heard in full must not count for the goodbye still playing. A
        # hang-up while another waits shares its wait (each is told the same played-out).
        played_out = [anyio.Event()]
        hung_up = False  # by the app (``end_call``, ``app.hangup``): the call's end says so

        def over() -> None:  # the stream ended: a hang-up waiting for marks waits no more
            self.stream.stopped = True  # (stopped or dropped: the call's next may come)
            played_out[0].set()
            ended.set()

        async def hangup() -> None:
            nonlocal hung_up
            hung_up = True
            if not player.all_played() and not ended.is_set():
                waiting = played_out[0]
                if waiting.is_set():
                    waiting = played_out[0] = anyio.Event()
                with anyio.move_on_after(GOODBYE_S):  # the goodbye is heard first
                    await waiting.wait()
            ended.set()

        record.handle = CallHandle(record.call_id, hangup, source="twilio")
        enter_call(record.handle)

        async def to_twilio() -> None:
            with contextlib.suppress(Exception):  # Twilio went away: the caller side ends it
                async for message in to_send:
                    await websocket.send_text(json.dumps(message))

        # Keypad presses go to the app's handler one after another, in a task of their own:
        # a slow handler (an account looked up) holds up neither the caller's audio nor the
        # marks that tell what the caller heard.
        presses, pressed = anyio.create_memory_object_stream[str](_PRESSES_KEPT)

        async def keypad(session: Any) -> None:
            with pressed:
                async for digit in pressed:
                    await _dtmf(settings, session, digit)

        async def from_caller(session: Any) -> None:
            told: set[str] = set()  # what was ignored, said once a stream (50 frames a second)
            with contextlib.suppress(RtagentsError):  # the session closed under us
                while True:
                    frame = await websocket.receive()
                    if frame["type"] == "websocket.disconnect":
                        break
                    message = decode_message(frame.get("text"))
                    if message is None:
                        continue
                    kind = message["event"]
                    if kind == "media":
                        try:
                            audio = media_payload(message)
                        except ValueError as exc:
                            _ignored(told, str(exc), "media")
                            continue
                        if audio:
                            await session.send_audio(audio)
                    elif kind == "mark":
                        name = part(message, "mark").get("name")
                        if isinstance(name, str):
                            player.acknowledged(name)
                            if player.all_played():
                                played_out[0].set()
                    elif kind == "dtmf":
                        _press(presses, message)
                    elif kind == "stop":
                        break
                    elif kind not in _KNOWN:
                        _ignored(told, f"a message of an unknown event {shown(kind)}", "unknown")
            over()

        async def from_agent(session: Any) -> None:
            async for event in session:
                if event.type == "response.output_audio.delta":
                    player.play(event.item_id, event.delta)
                elif event.type == "session.closed":
                    break
            over()

        endpoint = self.endpoint
        # u-law both ways, whatever the agent, or one it hands off to, or the app's update_agent
        opened = connect(
            agent, url=endpoint.url, api_key=endpoint.api_key, player=player, audio_format="pcmu"
        )
        # Every end closed however the call ends (a refused connect, a failed open too).
        with outgoing, to_send, presses, pressed:
            async with opened as s:
                await record.opened(s)
                async with anyio.create_task_group() as tg:
                    tg.start_soon(to_twilio)
                    tg.start_soon(from_caller, s)
                    tg.start_soon(from_agent, s)
                    tg.start_soon(keypad, s)
                    await ended.wait()
                    outgoing.close()
                    presses.close()
                    tg.cancel_scope.cancel()
                to_send.close()  # (after the group: what the player sends then is dropped)
        if s.closed_with_error:  # OpenAI's side is lost (reconnects given up): the call fails
            raise SessionLost(f"the call's session ended: {s.closed_reason}")
        return HUNG_UP if hung_up else s.closed_reason


async def _stream_start(websocket: WebSocket) -> Any:
    """Twilio's ``start`` message (after ``connected``)."""
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            raise TwilioStreamError("the stream closed before it started")
        message = decode_message(frame.get("text"))
        if message is not None and message["event"] == "start":
            return parse_start(message)
        if message is not None and message["event"] == "stop":  # (the caller hung up at once)
            raise TwilioStreamError("the stream stopped before it started")


_CLAIM_AGAIN_S = 0.05  # how often the next stream of a call tries its claim (see _claim)
_PRESSES_KEPT = 32
"""Keypad presses waiting for the app's handler, at most: a press past them is dropped."""


_KNOWN = frozenset({"connected", "start", "media", "mark", "dtmf", "stop"})
"""Twilio's stream events (docs/twilio.md): any other is ignored, and said once a stream."""


def _ignored(told: set[str], what: str, kind: str) -> None:
    """Say once a stream that frames of ``kind`` ("media", "unknown") are ignored."""
    if kind not in told:
        told.add(kind)
        log.warning("%s was ignored (the stream's later ones are not logged)", what)


def _press(presses: MemoryObjectSendStream[str], message: dict[str, Any]) -> None:
    digit = part(message, "dtmf").get("digit")
    if not isinstance(digit, str) or len(digit) != 1:
        return
    try:
        presses.send_nowait(digit)
    except anyio.WouldBlock:
        log.warning("the DTMF handler is %d presses behind: %r dropped", _PRESSES_KEPT, digit)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        pass  # the call is ending


async def _dtmf(settings: TwilioStreams, session: Any, digit: str) -> None:
    """The app's handler for one press (a sync one in a worker thread, as a sync router
    runs), detached: the call's end cancels it and waits no longer (an audit it shields
    holds up no hang-up). What it raises costs neither the call nor the next press, a
    ``CancelledError`` of its own (a lookup it awaited, given up elsewhere) included."""
    handler = detach(call_either(settings.on_dtmf, session, digit))
    try:
        await asyncio.wait((handler,))
    except BaseException:  # the call's end: the handler is told, not waited for
        let_go(handler, log, "the DTMF handler failed (after its call ended)")
        raise
    if handler.cancelled():
        log.warning("the DTMF handler was cancelled by its own code (a press of %r)", digit)
        return
    exc = handler.exception()
    if exc is None or isinstance(exc, SessionClosedError):  # (closed: the call is ending)
        return
    if not isinstance(exc, Exception):
        raise exc  # SystemExit, KeyboardInterrupt: the app's exit
    log.error("the DTMF handler failed", exc_info=exc)


async def _close(websocket: WebSocket, code: int) -> None:
    if websocket.application_state != WebSocketState.DISCONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(code=code)

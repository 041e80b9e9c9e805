"""The peer shell of one WebRTC call: an aiortc peer connection around the call's one
emulator ``Connection``. It moves frames (the ``oai-events`` data channel), audio (RTP both
ways) and time (the outgoing track's real-time pace); every server decision is the core's,
and the output audio buffer's events are ``Playout``'s.

A sideband (``?call_id=rtc_...``) joins the same connection as a second transport: it gets
``session.created`` and then every server event, and its client events act on the same
session, while the browser's data channel keeps working.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import anyio
import anyio.abc

from ...audio.formats import RATE, Encoder, samples
from ...errors import root_cause
from ...protocol import SessionCreated
from ..call import Call
from ..config import audio_format
from ..conversation import new_id
from ..live import phone as live_phone
from .ice import loopback_allowed
from .media import FRAME_BYTES, FRAME_SAMPLES, Decoded, frame
from .playout import Playout

if TYPE_CHECKING:
    from ..connection import Connection, EndConnection, SendFrame

log = logging.getLogger("rtagents.emulator")
CHANNEL = "oai-events"
CONNECT_S = 30.0  # seconds a peer has to connect
_HELD = 10_000  # server events kept for a data channel not open yet; the oldest go first


@dataclass
class WebRTCCall(Call):
    """A browser's call over WebRTC (``rtc_...``; GPT-Live's ``live_...``), as
    ``GET /v1/emulator/calls/{id}`` shows it (``"transport": "webrtc"``). It is accepted as
    it starts: its session is the client secret's (and the offer's ``session``), served by
    ``connection``."""

    connection: Any = field(default=None, repr=False)  # EmulatorConnection
    peer: Any = field(default=None, repr=False)  # aiortc.RTCPeerConnection
    channel_open: bool = False
    transport: ClassVar[str] = "webrtc"

    def public(self) -> dict[str, Any]:
        return {**super().public(), "transport": self.transport, "channel_open": self.channel_open}

    def hang_up(self, reason: str) -> None:
        """End the call through its core (a normal close): the peer closes, and so do the
        sidebands. A GPT-Live session says ``session.closed`` first, as a SIP call's does."""
        conn = self.connection
        if conn is None or conn.closed.is_set():
            return
        if self.api == "live":
            conn.act(lambda core: core.hang_up(live_phone.HANGUP))
        else:
            conn.drop(1000, reason)

    async def join(
        self, frames: AsyncIterable[str | bytes], send: SendFrame, end: EndConnection
    ) -> None:
        """Serve a sideband websocket on this call's session (see the module's docstring)."""
        conn: Connection[Any] = self.connection
        if self.api == "live":  # a Live sideband is told nothing first (as a SIP call's)
            await conn.join(frames, send, end)
            return
        created = SessionCreated(event_id=new_id("event"), session=conn.core.public_session())
        first = created.model_dump(mode="json", by_alias=True, exclude_unset=True)
        await conn.join(frames, send, end, [{**first, "type": created.type}])


class _Channel:
    """The data channel as the connection's transport: frames in, frames out (held until
    the browser's channel opens, so that ``session.created`` is its first event)."""

    def __init__(self, call: WebRTCCall) -> None:
        self._call = call
        self._channel: Any = None
        self._held: deque[str] = deque(maxlen=_HELD)
        self._reading = False
        self._in, self._frames = anyio.create_memory_object_stream[str | bytes](
            max_buffer_size=1024
        )

    def opened(self, channel: Any) -> None:
        if channel.label != CHANNEL or self._channel is not None:
            return
        self._channel = channel
        self._call.channel_open = True
        channel.on("message", self._message)
        while self._held:
            self._deliver(channel, self._held.popleft())

    def _message(self, message: str | bytes) -> None:
        try:
            self._in.send_nowait(message)
        except anyio.WouldBlock:
            log.warning("WebRTC call %s: client events dropped (too many)", self._call.call_id)
        except anyio.ClosedResourceError:
            pass

    async def send(self, frame: str) -> None:
        channel = self._channel
        if channel is None:
            self._held.append(frame)
        elif channel.readyState == "open":
            self._deliver(channel, frame)

    def _deliver(self, channel: Any, frame: str) -> None:
        try:
            channel.send(frame)
        except ValueError as exc:  # larger than the page's SCTP takes: the call goes on
            log.warning("WebRTC call %s: %s", self._call.call_id, exc)
            channel.send(_too_large(frame, str(exc)))

    async def frames(self) -> AsyncIterator[str | bytes]:
        self._reading = True
        async with self._frames:
            async for message in self._frames:
                yield message

    def close(self) -> None:
        self._in.close()
        if not self._reading:  # (a reader closes its end; a call that ended first has none)
            self._frames.close()


def _too_large(frame: str, why: str) -> str:
    """The ``error`` the page gets in place of a server event its channel cannot take."""
    kind = json.loads(frame).get("type")
    error = {
        "type": "invalid_request_error",
        "code": "event_too_large",
        "message": f"The server event '{kind}' was not sent on the data channel: {why}.",
        "param": None,
        "event_id": None,
    }
    return json.dumps({"type": "error", "event_id": new_id("event"), "error": error})


class Peer:
    """One call's peer connection and the tasks that serve it."""

    def __init__(self, call: WebRTCCall, conn: Connection[Any]) -> None:
        from aiortc import RTCConfiguration, RTCPeerConnection

        self.call = call
        self.conn = conn
        # No STUN server: the emulator answers on this host's own addresses.
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        call.peer, call.connection = self.pc, conn
        self.live = call.api == "live"
        self.playout = Playout(
            lambda: conn.session,
            live=self.live,
            truncate=lambda event: conn.feed(json.dumps(event)),
        )
        conn.outgoing = self.playout.outgoing
        self._channel = _Channel(call)
        self._tasks: set[asyncio.Task[None]] = set()
        self.pc.on("datachannel", self._channel.opened)
        self.pc.on("track", self._track)
        self.pc.on("connectionstatechange", self._state)

    async def answer(self, offer: str) -> str:
        """The SDP answer to ``offer``; ``ValueError`` when it cannot be one."""
        from aiortc import RTCSessionDescription

        problem = _sections_problem(offer)
        if problem is not None:  # (aiortc answers these, then trips in its connect task)
            raise ValueError(f"Invalid SDP offer: {problem}.")
        try:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        except Exception as exc:
            raise ValueError(f"Invalid SDP offer: {root_cause(exc)}") from None
        if not any(t.kind == "audio" for t in self.pc.getTransceivers()):
            raise ValueError("Invalid SDP offer: it has no audio media section.")
        self.pc.addTrack(_output_track(self.playout, self.conn.push))
        try:  # (aiortc takes some offers it cannot answer: a section without its mid)
            with loopback_allowed():  # where ICE gathers this call's candidates
                await self.pc.setLocalDescription(await self.pc.createAnswer())
        except Exception as exc:
            raise ValueError(f"Invalid SDP offer: {root_cause(exc)}") from None
        sdp: str = self.pc.localDescription.sdp
        return sdp

    async def serve(self, closed: Callable[[Connection[Any]], None]) -> None:
        """Run the call until it ends, either side; then close the peer and its tasks."""
        watchdog = asyncio.get_running_loop().create_task(self._watchdog())
        self._tasks.add(watchdog)
        try:
            await self.conn.serve(self._channel.frames(), self._channel.send, self._end)
        finally:
            # Ended and let go of in one step: whoever sees it ended finds the latest
            # ``keep_closed`` kept, not one more until its peer has closed.
            self.call.status = "ended"
            closed(self.conn)
            await self.close()

    async def close(self) -> None:
        """Stop the call's tasks and close the peer connection; never raises (it runs as
        a call ends, whatever ended it)."""
        self._channel.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            await self.pc.close()
        except Exception as exc:  # aiortc tripping on a half-negotiated peer
            log.warning("WebRTC call %s: closing its peer: %s", self.call.call_id, root_cause(exc))

    async def _watchdog(self) -> None:
        # A peer that never connects (the page went away after posting its offer) must not
        # keep a call open until the session's time cap.
        await asyncio.sleep(CONNECT_S)
        if self.pc.connectionState != "connected":
            self.conn.drop(1000, "the peer never connected")

    async def _end(self, code: int, reason: str, reset: bool) -> None:
        self._channel.close()  # the connection's read side ends, and with it the serve

    def _state(self) -> None:
        if self.pc.connectionState in ("failed", "closed"):
            self._channel.close()

    def _track(self, track: Any) -> None:
        if track.kind != "audio":
            return
        task = asyncio.get_running_loop().create_task(self._listen(track))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _listen(self, track: Any) -> None:
        """The caller's audio, as the core's input audio (as ``input_audio_buffer.append``
        over a websocket): server VAD, commits and transcripts work the same."""
        from aiortc.mediastreams import MediaStreamError

        decoded = Decoded()
        encoder = Encoder("audio/pcm")  # 20 ms frames, encoded as one stream
        while True:
            try:
                received = await track.recv()
            except MediaStreamError:
                return
            pcm = decoded.pcm(received)
            if not pcm:
                continue
            session = self.conn.session
            if not session:  # a Live session not started yet hears nothing
                continue
            live = self.live
            fmt = session["audio"]["format"]["type"] if live else audio_format(session, "input")
            if encoder.fmt != fmt:  # a session.update changed it: a new stream
                encoder = Encoder(fmt)
            data = encoder.encode(samples(pcm))
            kind = "session.input_audio.append" if live else "input_audio_buffer.append"
            self.conn.feed(json.dumps({"type": kind, "audio": base64.b64encode(data).decode()}))


def _output_track(playout: Playout, push: Callable[[dict[str, Any]], None]) -> Any:
    """The call's outgoing audio track: the buffer played at real time, silence when it is
    empty (a WebRTC track never stops while the call lasts)."""
    from aiortc import MediaStreamTrack
    from aiortc.mediastreams import MediaStreamError

    class OutputTrack(MediaStreamTrack):
        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self._start: float | None = None
            self._pts = 0

        async def recv(self) -> Any:
            if self.readyState != "live":
                raise MediaStreamError
            if self._start is None:
                self._start = time.monotonic()
            else:
                self._pts += FRAME_SAMPLES
                wait = self._start + self._pts / RATE - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            pcm, events = playout.pull(FRAME_BYTES)
            for event in events:
                push(event)
            return frame(pcm, self._pts)

    return OutputTrack()


def _sections_problem(offer: str) -> str | None:
    """What makes an offer's media sections unanswerable here: each needs its own
    ``a=mid`` and a DTLS fingerprint (its own or the session's: no WebRTC without one), the
    events need a data channel (``m=application``), a BUNDLE group names only sections it
    has, and no section lists more ICE
    candidates than a browser gathers (matching each against the others costs the emulator
    quadratic time, every session it serves waiting)."""
    kinds: list[str] = []
    mids: set[str] = set()
    session, *sections = offer.replace("\r\n", "\n").split("\nm=")
    fingerprinted = "\na=fingerprint:" in "\n" + session
    for section in sections:
        kind = section.split(" ", 1)[0]
        lines = section.split("\n")
        mid = next((line[6:].strip() for line in lines if line.startswith("a=mid:")), None)
        if mid is None:
            return f"its {kind} media section has no a=mid"
        if mid in mids:
            return f"a=mid:{mid} names two media sections"
        if not fingerprinted and not any(line.startswith("a=fingerprint:") for line in lines):
            return f"its {kind} media section has no DTLS fingerprint (a=fingerprint)"
        if sum(line.startswith("a=candidate:") for line in lines) > _MOST_CANDIDATES:
            return f"its {kind} media section lists more than {_MOST_CANDIDATES} ICE candidates"
        mids.add(mid)
        kinds.append(kind)
    if "application" not in kinds:
        return "it has no data channel (m=application) for the session's events"
    for line in session.split("\n"):  # (aiortc's connect task trips on a mid it cannot find)
        if line.startswith("a=group:BUNDLE"):
            unknown = [mid for mid in line[len("a=group:BUNDLE") :].split() if mid not in mids]
            if unknown:
                return f"a=group:BUNDLE names a=mid:{unknown[0]}, which no media section has"
    return None


_MOST_CANDIDATES = 64
"""A browser gathers a handful a section (host, server reflexive, relay, per interface)."""

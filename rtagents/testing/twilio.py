"""``TwilioMediaClient``: Twilio's side of a media stream, for testing a ``/twilio`` bridge
offline. It speaks the documented messages (``connected``, ``start``, ``media`` every
20 ms, ``dtmf``, ``stop``), hears the bridge's ``media``, and echoes its ``mark``s as the
audio before each is "played" by a simulated phone, which also drops its queue on ``clear``
(and echoes the marks it dropped, as Twilio does)::

    async with TwilioMediaClient(f"{url}/twilio", auth_token=token) as phone:
        await phone.say(ulaw)           # the caller speaks (u-law, 8 kHz)
        await phone.wait_for_audio(1000)
        await phone.play_out(400)       # 400 ms of the answer reach the caller's ear
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlsplit

import anyio
import websockets

from ..calls.twilio import twilio_signature

FRAME = 160  # 20 ms of u-law at 8 kHz
BYTES_PER_MS = 8


class TwilioMediaClient:
    """Args:
    url: The bridge's websocket URL (``ws://host:port/twilio``).
    auth_token: Sign the request (``X-Twilio-Signature``) as Twilio would.
    parameters: The stream's custom parameters (TwiML ``<Parameter>``).
    playback: ``"realtime"`` plays received audio at real time (marks echoed as it
        plays), ``"instant"`` echoes each mark at once, ``"manual"`` waits for
        ``play_out``.
    """

    def __init__(
        self,
        url: str,
        *,
        auth_token: str | None = None,
        parameters: dict[str, str] | None = None,
        call_sid: str | None = None,
        playback: Literal["realtime", "instant", "manual"] = "realtime",
    ) -> None:
        self.url = url
        self.auth_token = auth_token
        self.parameters = parameters or {}
        self.call_sid = call_sid or f"CA{uuid.uuid4().hex}"
        self.stream_sid = f"MZ{uuid.uuid4().hex}"
        self.playback = playback
        self.received = bytearray()  # every byte of the agent's audio that arrived
        self.heard = bytearray()  # what the simulated phone played to the caller
        self.clears = 0
        self.played_marks: list[tuple[str, int]] = []  # echoed as played: name, ms of audio
        self.messages: list[dict[str, Any]] = []  # everything the bridge sent
        self.closed: int | None = None  # the close code, once closed
        self._marks: list[tuple[str, int]] = []  # pending: name, position in `received`
        self._played = 0  # position in `received` up to which the phone has played
        self._seq = 0
        self._chunk = 0
        self._sent_ms = 0
        self._ws: Any = None
        self._tg: Any = None
        self._news = anyio.Event()

    # -- the stream ------------------------------------------------------------------------

    async def __aenter__(self) -> TwilioMediaClient:
        headers = {}
        if self.auth_token is not None:
            parts = urlsplit(self.url)
            signed = f"wss://{parts.netloc}{parts.path}" + (
                f"?{parts.query}" if parts.query else ""
            )
            headers["X-Twilio-Signature"] = twilio_signature(self.auth_token, signed)
        self._ws = await websockets.connect(self.url, additional_headers=headers)
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self._read)
        if self.playback == "realtime":
            self._tg.start_soon(self._clock)
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self.send(
            "start",
            start={
                "accountSid": "AC" + "0" * 32,
                "streamSid": self.stream_sid,
                "callSid": self.call_sid,
                "tracks": ["inbound"],
                "customParameters": self.parameters,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.closed is None:
            with contextlib.suppress(websockets.ConnectionClosed):
                stop = {"accountSid": "AC" + "0" * 32, "callSid": self.call_sid}
                await self.send("stop", stop=stop)
        await self._ws.close()
        self._tg.cancel_scope.cancel()
        await self._tg.__aexit__(None, None, None)

    async def _send(self, message: dict[str, Any]) -> None:
        await self._ws.send(json.dumps(message))

    async def send(self, event: str, **fields: Any) -> None:
        """A message of Twilio's, numbered as Twilio numbers them."""
        self._seq += 1
        await self._send(
            {
                "event": event,
                "sequenceNumber": str(self._seq),
                "streamSid": self.stream_sid,
                **fields,
            }
        )

    async def say(self, ulaw: bytes, *, realtime: bool = False) -> None:
        """The caller speaks: ``ulaw`` (G.711 u-law, 8 kHz) in 20 ms media messages."""
        started = time.monotonic()
        for index, start in enumerate(range(0, len(ulaw), FRAME)):
            self._chunk += 1
            await self.send(
                "media",
                media={
                    "track": "inbound",
                    "chunk": str(self._chunk),
                    "timestamp": str(self._sent_ms),
                    "payload": base64.b64encode(ulaw[start : start + FRAME]).decode(),
                },
            )
            self._sent_ms += 20
            if realtime:
                await anyio.sleep(max(0.0, started + (index + 1) * 0.02 - time.monotonic()))

    async def press(self, digit: str) -> None:
        """A keypad press (DTMF)."""
        await self.send("dtmf", dtmf={"track": "inbound_track", "digit": digit})

    # -- what comes back -----------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                self.messages.append(message)
                kind = message.get("event")
                if kind == "media":
                    self.received += base64.b64decode(message["media"]["payload"])
                elif kind == "mark":
                    self._marks.append((message["mark"]["name"], len(self.received)))
                    if self.playback == "instant":
                        await self._advance(len(self.received))
                elif kind == "clear":
                    self.clears += 1
                    self._played = len(self.received)  # dropped, not heard
                    await self._echo(lambda position: True, played=False)
                self._tell()
        except websockets.ConnectionClosed as exc:
            self.closed = exc.rcvd.code if exc.rcvd else 1006
        else:
            self.closed = self._ws.close_code or 1000
        self._tell()

    async def _clock(self) -> None:
        while True:
            await anyio.sleep(0.02)
            await self._advance(min(len(self.received), self._played + FRAME))

    async def _advance(self, position: int) -> None:
        if position > self._played:
            self.heard += self.received[self._played : position]
            self._played = position
        await self._echo(lambda mark_position: mark_position <= self._played)

    async def _echo(self, due: Callable[[int], bool], *, played: bool = True) -> None:
        while self._marks and due(self._marks[0][1]):
            name, position = self._marks.pop(0)
            if played:
                self.played_marks.append((name, position // BYTES_PER_MS))
            try:
                await self.send("mark", mark={"name": name})
            except websockets.ConnectionClosed:
                return

    async def play_out(self, ms: int) -> None:
        """``playback="manual"``: the phone plays ``ms`` more of what arrived."""
        await self._advance(min(len(self.received), self._played + ms * BYTES_PER_MS))

    @property
    def heard_ms(self) -> int:
        return len(self.heard) // BYTES_PER_MS

    @property
    def received_ms(self) -> int:
        return len(self.received) // BYTES_PER_MS

    async def wait_for_audio(self, ms: int) -> None:
        """Until ``ms`` of the agent's audio has arrived (``anyio.fail_after`` bounds it)."""
        while self.received_ms < ms and self.closed is None:
            await self._news.wait()

    async def wait_closed(self) -> int:
        """Until the bridge ends the stream; its close code."""
        while self.closed is None:
            await self._news.wait()
        return self.closed

    def _tell(self) -> None:
        """Something arrived: wake the waiters (each waits on the event of its time)."""
        news, self._news = self._news, anyio.Event()
        news.set()

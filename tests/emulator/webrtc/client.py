"""An independent WebRTC client for the emulator, in aiortc, as a browser page does it: an
``oai-events`` data channel, a microphone track (real speech, then silence) and a speaker
that keeps what it hears. Written from the real API's shapes, not from the emulator's code."""

from __future__ import annotations

import asyncio
import fractions
import json
import math
import time
from array import array
from collections.abc import Callable
from typing import Any

import anyio
import httpx2
import pytest

aiortc = pytest.importorskip("aiortc")
av = pytest.importorskip("av")

from aiortc import (  # noqa: E402
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError  # noqa: E402

from rtagents.emulator.webrtc.ice import loopback_allowed  # noqa: E402

RATE = 48_000
FRAME = RATE // 50  # 20 ms


class Microphone(MediaStreamTrack):
    """48 kHz mono PCM16 at real time: what ``say`` queued, then silence."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._queue = bytearray()
        self._start: float | None = None
        self._pts = 0

    def say(self, pcm: bytes) -> None:
        self._queue += pcm

    async def recv(self) -> Any:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += FRAME
            wait = self._start + self._pts / RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        chunk = bytes(self._queue[: FRAME * 2])
        del self._queue[: FRAME * 2]
        frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(chunk + bytes(FRAME * 2 - len(chunk)))
        frame.sample_rate, frame.pts = RATE, self._pts
        frame.time_base = fractions.Fraction(1, RATE)
        return frame


class Browser:
    """One call, as a page makes it: offer, answer, events, audio both ways."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.mic = Microphone()
        self.pc.addTrack(self.mic)
        self.channel = self.pc.createDataChannel("oai-events")
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.seen: list[dict[str, Any]] = []
        self.heard = array("h")  # what the speaker played, 48 kHz mono
        self._measured, self._loudest = 0, 0.0  # loudest_rms so far, up to that sample
        self.opened = asyncio.Event()
        self.channel_closed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.channel.on("open", self.opened.set)
        self.channel.on("close", self.channel_closed.set)
        self.channel.on("message", lambda m: self.events.put_nowait(json.loads(m)))
        self.pc.on("track", self._track)
        self.response: httpx2.Response | None = None

    async def offer(self) -> str:
        """Make the offer (its candidates gathered) and return its SDP."""
        # A browser on a loopback-only host needs it as the emulator does (Chromium: a flag).
        with loopback_allowed():
            await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp: str = self.pc.localDescription.sdp
        return sdp

    async def call(
        self, http_url: str, key: str | None, *, sdp: str | None = None
    ) -> httpx2.Response:
        """POST the offer (``application/sdp``) to ``{http_url}/realtime/calls``; on 201,
        take the answer and wait for the data channel to open."""
        await self.offer()
        headers = {"Content-Type": "application/sdp"}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        body = self.pc.localDescription.sdp if sdp is None else sdp
        async with httpx2.AsyncClient(timeout=10) as http:
            reply = await http.post(f"{http_url}/realtime/calls", headers=headers, content=body)
        return await self.answered(reply)

    async def answered(self, reply: httpx2.Response) -> httpx2.Response:
        """Take the emulator's answer to the offer posted (when it is one)."""
        if reply.status_code == 201:
            await self.pc.setRemoteDescription(RTCSessionDescription(reply.text, "answer"))
            await asyncio.wait_for(self.opened.wait(), 10)
        self.response = reply
        return reply

    @property
    def call_id(self) -> str:
        assert self.response is not None
        return self.response.headers["location"].rsplit("/", 1)[-1]

    def send(self, event: dict[str, Any]) -> None:
        self.channel.send(json.dumps(event))

    async def until(
        self, kind: str | Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> list[dict[str, Any]]:
        """Events up to and including the next of type ``kind`` (or that ``kind`` accepts)."""
        got: list[dict[str, Any]] = []
        with anyio.fail_after(timeout):
            while True:
                event = await self.events.get()
                got.append(event)
                self.seen.append(event)
                if event["type"] == kind or (callable(kind) and kind(event)):
                    return got

    def _track(self, track: Any) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.get_running_loop().create_task(self._listen(track)))

    async def _listen(self, track: Any) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            for out in resampler.resample(frame):
                self.heard.frombytes(bytes(out.planes[0])[: out.samples * 2])

    def loudest_rms(self) -> float:
        """The loudest 100 ms window's RMS, as a fraction of full scale."""
        size = RATE // 10
        end = max(0, len(self.heard) - size)
        for start in range(self._measured, end, size):  # windows not measured yet
            chunk = self.heard[start : start + size]
            self._loudest = max(self._loudest, math.sqrt(sum(s * s for s in chunk) / size) / 32768)
            self._measured = start + size
        return self._loudest

    async def hears(self, floor: float = 0.02, timeout: float = 15) -> float:
        """Wait until the speaker has played a window louder than ``floor`` (as a fraction
        of full scale): the audio's last frames reach it at real time, later than the
        events that say it was sent. Its RMS; ``TimeoutError`` if none comes."""
        with anyio.fail_after(timeout):
            while (loudest := self.loudest_rms()) <= floor:
                await asyncio.sleep(0.1)
        return loudest

    async def close(self) -> None:
        await self.pc.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

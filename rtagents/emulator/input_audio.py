"""The input audio buffer of an emulator connection: append, commit, clear, server VAD."""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import TYPE_CHECKING, Any

from . import audio
from .config import audio_format
from .conversation import new_id, public_item
from .errors import ClientEventError
from .vad import EnergyVad

if TYPE_CHECKING:
    from .connection import Options
    from .conversation import Conversation
    from .responses import ResponseRun


class InputAudioMixin:
    """Input audio handling, mixed into ``EmulatorConnection``.

    Speech is detected on audio time, so tests that send known audio get exact events;
    only the idle timeout runs on the wall clock, as the server's does.
    """

    _buffer: bytearray
    _audio_ms: int
    _speech_item: str | None
    _vad: EnergyVad | None
    _idle: asyncio.TimerHandle | None
    _idle_started_ms: int
    # Provided by the connection:
    session: dict[str, Any]
    conversation: Conversation
    active: ResponseRun | None
    options: Options

    async def emit(self, event: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _start_response(self, params: dict[str, Any], *, from_vad: bool = False) -> None:
        raise NotImplementedError

    def _make_vad(self) -> EnergyVad | None:
        turn = self.session["audio"]["input"].get("turn_detection")
        if not turn:
            return None
        if turn.get("type") == "semantic_vad":
            # No model judges the turn here: eagerness only sets how long a pause ends it.
            pause = {"low": 1500, "high": 300}.get(turn.get("eagerness") or "auto", 700)
            return EnergyVad(silence_duration_ms=pause)
        return EnergyVad(
            threshold=turn.get("threshold", 0.5),
            prefix_padding_ms=turn.get("prefix_padding_ms", 300),
            silence_duration_ms=turn.get("silence_duration_ms", 500),
        )

    # -- input audio -----------------------------------------------------------------------

    async def _on_input_audio_buffer_append(self, event: dict[str, Any]) -> None:
        try:
            data = base64.b64decode(event["audio"], validate=True)
        except (binascii.Error, ValueError):
            raise ClientEventError(
                "The audio is not valid base64.", code="invalid_value", param="audio"
            ) from None
        fmt = audio_format(self.session, "input")
        self._buffer.extend(data)
        before = self._audio_ms
        self._audio_ms += audio.duration_ms(len(data), fmt)
        if self._vad is None:
            return
        for vad_event in self._vad.feed(audio.to_pcm16(data, fmt)):
            if vad_event.kind == "started":
                await self._speech_started(vad_event.audio_ms)
            else:
                await self._speech_stopped(vad_event.audio_ms)
        del before

    async def _speech_started(self, audio_start_ms: int) -> None:
        self._cancel_idle()
        self._speech_item = new_id("item")
        await self.emit(
            {
                "type": "input_audio_buffer.speech_started",
                "audio_start_ms": audio_start_ms,
                "item_id": self._speech_item,
            }
        )
        turn = self.session["audio"]["input"]["turn_detection"]
        if turn.get("interrupt_response", True) and self.active is not None:
            self.active.cancel("turn_detected")

    async def _speech_stopped(self, audio_end_ms: int) -> None:
        item_id = self._speech_item or new_id("item")
        self._speech_item = None
        await self.emit(
            {
                "type": "input_audio_buffer.speech_stopped",
                "audio_end_ms": audio_end_ms,
                "item_id": item_id,
            }
        )
        await self._commit(item_id)
        if self.session["audio"]["input"]["turn_detection"].get("create_response", True):
            await self._start_response({}, from_vad=True)

    async def _on_input_audio_buffer_commit(self, event: dict[str, Any]) -> None:
        fmt = audio_format(self.session, "input")
        if audio.duration_ms(len(self._buffer), fmt) < 100:
            raise ClientEventError(
                "Error committing input audio buffer: buffer too small. "
                "Expected at least 100ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        await self._commit(self._speech_item or new_id("item"))
        self._speech_item = None
        if self._vad:
            self._vad.reset()

    async def _commit(self, item_id: str) -> None:
        fmt = audio_format(self.session, "input")
        data = bytes(self._buffer)
        self._buffer.clear()
        ms = audio.duration_ms(len(data), fmt)
        item: dict[str, Any] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "user",
            "status": "completed",
            "content": [
                {
                    "type": "input_audio",
                    "audio": base64.b64encode(data).decode(),
                    "transcript": None,
                }
            ],
            "_audio_ms": ms,
        }
        previous = self.conversation.add(item)
        await self.emit(
            {
                "type": "input_audio_buffer.committed",
                "item_id": item_id,
                "previous_item_id": previous,
            }
        )
        public = public_item(item)
        await self.emit(
            {"type": "conversation.item.added", "previous_item_id": previous, "item": public}
        )
        await self.emit(
            {"type": "conversation.item.done", "previous_item_id": previous, "item": public}
        )
        if self.session["audio"]["input"].get("transcription"):
            text = (
                self.options.transcribe(data, ms)
                if self.options.transcribe
                else f"[{ms} ms of audio]"
            )
            item["content"][0]["transcript"] = text
            await self.emit(
                {
                    "type": "conversation.item.input_audio_transcription.delta",
                    "item_id": item_id,
                    "content_index": 0,
                    "delta": text,
                }
            )
            await self.emit(
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    "item_id": item_id,
                    "content_index": 0,
                    "transcript": text,
                    "usage": {"type": "duration", "seconds": ms / 1000},
                }
            )

    async def _on_input_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        self._buffer.clear()
        if self._vad:
            self._vad.reset()
        await self.emit({"type": "input_audio_buffer.cleared"})

    # -- idle timeout ------------------------------------------------------------------------

    def _arm_idle(self, played_ms: int) -> None:
        turn = self.session["audio"]["input"].get("turn_detection") or {}
        timeout = turn.get("idle_timeout_ms")
        if not timeout or turn.get("type") != "server_vad":
            return
        self._cancel_idle()
        self._idle_started_ms = self._audio_ms
        loop = asyncio.get_running_loop()
        self._idle = loop.call_later(
            (timeout + played_ms) / 1000, lambda: loop.create_task(self._idle_fired())
        )

    def _cancel_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    async def _idle_fired(self) -> None:
        self._idle = None
        if self.active is not None or (self._vad and self._vad.speaking):
            return
        item_id = new_id("item")
        await self.emit(
            {
                "type": "input_audio_buffer.timeout_triggered",
                "audio_start_ms": self._idle_started_ms,
                "audio_end_ms": self._audio_ms,
                "item_id": item_id,
            }
        )
        await self._commit(item_id)
        await self._start_response({}, from_vad=True)

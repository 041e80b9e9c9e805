"""One response of the emulator: asks the model for a turn and streams it in the server's order."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import audio
from .conversation import new_id, public_item
from .models import CallFunction, CallMCP, ModelContext, Output, Say

if TYPE_CHECKING:
    from .connection import EmulatorConnection

Emit = Callable[[dict[str, Any]], Awaitable[None]]


def _tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


class ResponseRun:
    """A response in progress. Cancellation is cooperative: checked between events."""

    def __init__(self, conn: EmulatorConnection, params: dict[str, Any]) -> None:
        self.conn = conn
        self.params = params
        self.id = new_id("resp")
        self.in_conversation = params.get("conversation", "auto") != "none"
        session = conn.session
        self.modalities: list[str] = params.get("output_modalities") or session["output_modalities"]
        out_audio = {**session["audio"]["output"], **(params.get("audio") or {}).get("output", {})}
        self.voice = out_audio.get("voice", "marin")
        self.format = (out_audio.get("format") or {}).get("type", "audio/pcm")
        limit = params.get("max_output_tokens", session.get("max_output_tokens", "inf"))
        self.max_tokens = None if limit in (None, "inf") else int(limit)
        self.cancel_reason: str | None = None
        self.cancelled = asyncio.Event()
        self.output: list[dict[str, Any]] = []
        self.audio_ms = 0
        self.output_tokens = 0
        self.task: asyncio.Task[None] | None = None

    def cancel(self, reason: str) -> None:
        if self.cancel_reason is None:
            self.cancel_reason = reason
            self.cancelled.set()

    def resource(self, status: str, **extra: Any) -> dict[str, Any]:
        res: dict[str, Any] = {
            "id": self.id,
            "object": "realtime.response",
            "status": status,
            "conversation_id": self.conn.conversation.id if self.in_conversation else None,
            "output_modalities": self.modalities,
            "max_output_tokens": self.max_tokens if self.max_tokens is not None else "inf",
            "audio": {"output": {"format": {"type": self.format}, "voice": self.voice}},
            "metadata": self.params.get("metadata"),
            "output": [public_item(item) for item in self.output],  # no audio bytes
            "usage": None,
            "status_details": None,
        }
        res.update(extra)
        return res

    # -- the run ---------------------------------------------------------------------------

    async def run(self) -> None:
        conn = self.conn
        await conn.emit({"type": "response.created", "response": self.resource("in_progress")})
        await conn.emit_rate_limits()
        status = "completed"
        details: dict[str, Any] = {"type": "completed"}
        try:
            # Hosted MCP calls approved since the last response run first; after calls run,
            # the model is asked again within this response, to answer from their output.
            ran = await conn.hosted_mcp.run_approved(self)
            for _ in range(4):
                ran, truncated = await self._play(await self._turn(), ran)
                if truncated:
                    status = "incomplete"
                    details = {"type": "incomplete", "reason": "max_output_tokens"}
                if not ran or truncated or self.cancel_reason:
                    break
        except Exception as exc:  # the model or a hook failed: the response fails, the session lives  # the model or a hook failed: the response fails, the session lives
            status = "failed"
            details = {
                "type": "failed",
                "error": {"type": "server_error", "code": type(exc).__name__},
            }
            conn.log.exception("emulator model failed")
        if self.cancel_reason:
            status, details = "cancelled", {"type": "cancelled", "reason": self.cancel_reason}
        await conn.emit(
            {
                "type": "response.done",
                "response": self.resource(status, status_details=details, usage=self._usage()),
            }
        )
        conn.response_finished(self)

    async def _play(self, turn: list[Output], ran: int) -> tuple[int, bool]:
        """Stream one turn's outputs; returns (hosted MCP calls that ran, truncated)."""
        ran_now = 0
        for output in turn:
            index = len(self.output)
            if self.cancel_reason:
                break
            if isinstance(output, Say):
                if await self._message(index, output.text):
                    return ran_now, True
            elif isinstance(output, CallFunction):
                await self._function_call(index, output)
            elif isinstance(output, CallMCP):
                ran_now += int(await self.conn.hosted_mcp.call(self, index, output))
        return ran_now, False

    async def _turn(self) -> list[Output]:
        conn = self.conn
        items = conn.context_items(self.params)
        tools = conn.model_tools(self.params.get("tools"))
        ctx = ModelContext(
            items=items,
            instructions=self.params.get("instructions") or conn.session.get("instructions", ""),
            tools=tools,
            metadata=self.params.get("metadata"),
        )
        result = conn.model.respond(ctx)
        if inspect.isawaitable(result):
            result = await result
        return list(result)

    def _usage(self) -> dict[str, Any]:
        context = self.conn.context_items(self.params)
        text = sum(
            _tokens(part.get("text") or part.get("transcript") or "")
            for item in context
            for part in item.get("content", [])
        ) + sum(_tokens(item.get("output") or item.get("arguments") or "") for item in context)
        audio_in = sum(item.get("_audio_ms", 0) for item in context) // 100
        audio_out = self.audio_ms // 50
        text_out = self.output_tokens
        return {
            "total_tokens": text + audio_in + text_out + audio_out,
            "input_tokens": text + audio_in,
            "output_tokens": text_out + audio_out,
            "input_token_details": {
                "text_tokens": text,
                "audio_tokens": audio_in,
                "image_tokens": 0,
                "cached_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
        }

    # -- outputs ---------------------------------------------------------------------------

    async def add_item(self, index: int, item: dict[str, Any]) -> None:
        """Announce a new output item (and add it to the conversation when in one)."""
        self.output.append(item)
        conn = self.conn
        await conn.emit(
            {
                "type": "response.output_item.added",
                "response_id": self.id,
                "output_index": index,
                "item": public_item(item),
            }
        )
        if self.in_conversation:
            previous = conn.conversation.add(item)
            await conn.emit(
                {
                    "type": "conversation.item.added",
                    "previous_item_id": previous,
                    "item": public_item(item),
                }
            )

    async def finish_item(self, index: int, item: dict[str, Any]) -> None:
        conn = self.conn
        await conn.emit(
            {
                "type": "response.output_item.done",
                "response_id": self.id,
                "output_index": index,
                "item": public_item(item),
            }
        )
        if self.in_conversation:
            previous = conn.conversation.previous_id(item["id"])
            await conn.emit(
                {
                    "type": "conversation.item.done",
                    "previous_item_id": previous,
                    "item": public_item(item),
                }
            )

    async def _message(self, index: int, text: str) -> bool:
        """Stream an assistant message; True when cut short by ``max_output_tokens``."""
        truncated = False
        if self.max_tokens is not None and self.output_tokens + _tokens(text) > self.max_tokens:
            text = text[: max(0, (self.max_tokens - self.output_tokens) * 4)]
            truncated = True
        spoken = "audio" in self.modalities
        item: dict[str, Any] = {
            "id": new_id("item"),
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        await self.add_item(index, item)
        ids = {
            "response_id": self.id,
            "item_id": item["id"],
            "output_index": index,
            "content_index": 0,
        }
        emit = self.conn.emit
        kind = "audio" if spoken else "text"
        await emit(
            {
                "type": "response.content_part.added",
                **ids,
                "part": {"type": kind, **({"transcript": ""} if spoken else {"text": ""})},
            }
        )
        said: list[str] = []
        pcm_all = bytearray()
        for word in _words(text):
            if self.cancel_reason:
                break
            said.append(word)
            if spoken:
                await emit({"type": "response.output_audio_transcript.delta", **ids, "delta": word})
                pcm_all.extend(await self._stream_audio(ids, word))
            else:
                await emit({"type": "response.output_text.delta", **ids, "delta": word})
        final = "".join(said)
        self.output_tokens += _tokens(final)
        if spoken:
            self.conn.audio_sent = True
            await emit({"type": "response.output_audio.done", **ids})
            await emit(
                {"type": "response.output_audio_transcript.done", **ids, "transcript": final}
            )
            part = {"type": "audio", "transcript": final}
            content = {
                "type": "output_audio",
                "transcript": final,
                "audio": base64.b64encode(bytes(pcm_all)).decode(),
            }
        else:
            await emit({"type": "response.output_text.done", **ids, "text": final})
            part = {"type": "text", "text": final}
            content = {"type": "output_text", "text": final}
        await emit({"type": "response.content_part.done", **ids, "part": part})
        item["content"] = [content]
        item["_audio_format"] = self.format
        item["status"] = "incomplete" if self.cancel_reason or truncated else "completed"
        await self.finish_item(index, item)
        return truncated

    async def _stream_audio(self, ids: dict[str, Any], word: str) -> bytes:
        pcm = audio.synthesize(word)
        chunk = audio.RATE * self.conn.options.audio_chunk_ms // 1000
        sent = bytearray()
        for start in range(0, len(pcm), chunk):
            if self.cancel_reason:
                break
            data = audio.from_pcm16(pcm[start : start + chunk], self.format)
            sent.extend(data)
            ms = audio.duration_ms(len(data), self.format)
            self.audio_ms += ms
            await self.conn.emit(
                {
                    "type": "response.output_audio.delta",
                    **ids,
                    "delta": base64.b64encode(data).decode(),
                }
            )
            if self.conn.options.realtime:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.cancelled.wait(), ms / 1000)
        return bytes(sent)

    async def _function_call(self, index: int, call: CallFunction) -> None:
        arguments = call.arguments_json
        item: dict[str, Any] = {
            "id": new_id("item"),
            "object": "realtime.item",
            "type": "function_call",
            "status": "in_progress",
            "name": call.name,
            "call_id": call.call_id or new_id("call"),
            "arguments": "",
        }
        await self.add_item(index, item)
        ids = {
            "response_id": self.id,
            "item_id": item["id"],
            "output_index": index,
            "call_id": item["call_id"],
        }
        for start in range(0, len(arguments), 32):
            await self.conn.emit(
                {
                    "type": "response.function_call_arguments.delta",
                    **ids,
                    "delta": arguments[start : start + 32],
                }
            )
        self.output_tokens += _tokens(arguments)
        await self.conn.emit(
            {
                "type": "response.function_call_arguments.done",
                **ids,
                "name": call.name,
                "arguments": arguments,
            }
        )
        item["arguments"] = arguments
        item["status"] = "completed"
        await self.finish_item(index, item)


def _words(text: str) -> list[str]:
    """Split keeping the spaces, so that joined deltas give back the text exactly."""
    out: list[str] = []
    for piece in text.split(" "):
        out.append(piece if not out else " " + piece)
    return [w for w in out if w] or ([text] if text else [])

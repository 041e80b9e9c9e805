"""One client connection to the emulator: client events in, server events out."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed

from ..errors import ProtocolError
from ..protocol import parse_client_event
from . import audio
from .config import DEFAULT_SESSION, apply_update
from .conversation import Conversation, new_id, public_item
from .errors import ClientEventError
from .faults import ExpireSession, Fault, Injector
from .input_audio import InputAudioMixin
from .models import Model
from .responses import ResponseRun

Send = Callable[[str], Awaitable[None]]
Disconnect = Callable[[int, str, bool], Awaitable[None]]
"""Ends the connection: with a close frame of (code, reason), or a TCP reset when true."""
Transcriber = Callable[[bytes, int], str]


@dataclass
class Options:
    realtime: bool = False
    audio_chunk_ms: int = 40
    transcribe: Transcriber | None = None
    record: int = 10_000
    """Frames kept each way per connection, for tests (``received``/``sent``)."""
    webrtc: bool = False
    """Behave as a WebRTC or SIP session (``output_audio_buffer.clear`` is allowed)."""
    faults: tuple[Fault, ...] = ()
    max_session_s: float = 3600.0
    """The session's time cap (the real server's is 60 minutes)."""


class EmulatorConnection(InputAudioMixin):
    """The server side of one Realtime session."""

    def __init__(
        self, model: Model, options: Options, send: Send, *, model_name: str, hosted_mcp: Any
    ) -> None:
        self.model = model
        self.options = options
        self._send = send
        self.log = logging.getLogger("rtagents.emulator")
        self.session: dict[str, Any] = copy.deepcopy(DEFAULT_SESSION)
        self.session["id"] = new_id("sess")
        self.session["model"] = model_name
        # The real server caps a session's length and says when it ends; so does this one.
        self.session["expires_at"] = int(time.time() + options.max_session_s)
        self.conversation = Conversation()
        self.audio_sent = False
        # A test tap, bounded: the latest frames each way (an hour of audio would otherwise
        # be kept for the connection's life). ``Emulator(record=0)`` keeps none.
        self.received: deque[dict[str, Any]] = deque(maxlen=options.record)
        self.sent: deque[dict[str, Any]] = deque(maxlen=options.record)
        self.active: ResponseRun | None = None
        self.responses: set[ResponseRun] = set()
        self.hosted_mcp = hosted_mcp
        self._buffer = bytearray()
        self._audio_ms = 0  # audio appended since the session started
        self._speech_item: str | None = None
        self._vad = self._make_vad()
        self._idle: asyncio.TimerHandle | None = None
        self._idle_started_ms = 0
        self._last_event_id: str | None = None
        self.disconnect: Disconnect | None = None
        self.on_closed: Callable[[EmulatorConnection], None] | None = None
        self.faults = Injector(
            (*options.faults, ExpireSession(options.max_session_s)), self.emit, self._drop
        )

    def add_fault(self, fault: Fault) -> None:
        """Inject a fault into this connection from now on (see ``rtagents.emulator.faults``)."""
        self.faults.add(fault)

    # -- sending ---------------------------------------------------------------------------

    async def emit(self, event: dict[str, Any]) -> None:
        event = {"event_id": new_id("event"), **event}
        if self.faults:
            await self.faults.before_send()
        self.sent.append(event)
        await self._send(json.dumps(event))
        if self.faults:
            await self.faults.sent(event["type"])

    async def send_raw(self, frame: str | bytes) -> None:
        """Send any frame, valid or not: for testing how a client copes with bad input."""
        await self._send(frame)  # type: ignore[arg-type]

    async def drop(self) -> None:
        """Close the connection abruptly (code 1011), as a crashing server would."""
        await self._drop(1011, "emulator dropped the connection", reset=False)

    async def _drop(self, code: int, reason: str, *, reset: bool) -> None:
        if self.disconnect is not None:
            await self.disconnect(code, reason, reset)

    async def error(self, err: ClientEventError) -> None:
        self.log.debug("client event rejected: %s", err.message)
        await self.emit(
            {
                "type": "error",
                "error": {
                    "type": err.type,
                    "code": err.code,
                    "message": err.message,
                    "param": err.param,
                    "event_id": self._last_event_id,
                },
            }
        )

    async def emit_rate_limits(self) -> None:
        await self.emit(
            {
                "type": "rate_limits.updated",
                "rate_limits": [
                    {"name": "requests", "limit": 5000, "remaining": 4999, "reset_seconds": 0.012},
                    {"name": "tokens", "limit": 400000, "remaining": 399000, "reset_seconds": 0.15},
                ],
            }
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self.faults.start()
        await self.emit({"type": "session.created", "session": self._public_session()})
        await self.emit(
            {
                "type": "conversation.created",
                "conversation": {"id": self.conversation.id, "object": "realtime.conversation"},
            }
        )

    async def close(self) -> None:
        self.faults.stop()
        self._cancel_idle()
        for run in list(self.responses):
            run.cancel("client_cancelled")
            if run.task:
                run.task.cancel()
        await self.hosted_mcp.close()

    def _public_session(self) -> dict[str, Any]:
        return {k: v for k, v in self.session.items() if k != "tools"} | {
            "tools": [_hide_secrets(t) for t in self.session.get("tools", [])]
        }

    # -- dispatch --------------------------------------------------------------------------

    async def handle(self, frame: str | bytes) -> None:
        self._last_event_id = None
        try:
            try:
                raw = json.loads(frame)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ClientEventError(
                    f"The frame is not valid JSON: {exc}", code="invalid_json"
                ) from None
            if not isinstance(raw, dict):
                raise ClientEventError("A client event must be a JSON object.", code="invalid_json")
            self._last_event_id = (
                raw.get("event_id") if isinstance(raw.get("event_id"), str) else None
            )
            if raw.get("type") == "input_audio_buffer.append" and isinstance(raw.get("audio"), str):
                # The tap keeps how much audio came, not the audio itself.
                self.received.append({**raw, "audio": f"<{len(raw['audio'])} base64 chars>"})
            else:
                self.received.append(raw)
            if self.faults:
                self.faults.received(str(raw.get("type", "")))
            handler = getattr(self, "_on_" + str(raw.get("type", "")).replace(".", "_"), None)
            if handler is None:
                raise ClientEventError(
                    f"Invalid value: '{raw.get('type')}'. It is not a client event type.",
                    code="invalid_value",
                    param="type",
                )
            try:
                parse_client_event(raw)
            except ProtocolError as exc:
                if exc.missing:
                    raise ClientEventError(
                        f"Missing required parameter: '{exc.param}'.",
                        code="missing_required_parameter",
                        param=exc.param,
                    ) from None
                raise ClientEventError(
                    f"Invalid event: {exc}", code="invalid_value", param=exc.param
                ) from None
            await handler(raw)
        except ClientEventError as err:
            await self.error(err)
        except ConnectionClosed:
            raise  # the client left; the server loop ends quietly
        except Exception as exc:  # a bug here must not end the client's session
            self.log.exception("emulator failed on a client event")
            await self.error(
                ClientEventError(
                    f"The server had an error: {exc}", code="server_error", type="server_error"
                )
            )

    # -- session ---------------------------------------------------------------------------

    async def _on_session_update(self, event: dict[str, Any]) -> None:
        self.session = apply_update(self.session, event["session"], audio_sent=self.audio_sent)
        self._vad = self._make_vad()
        await self.emit({"type": "session.updated", "session": self._public_session()})
        await self.hosted_mcp.configure(self, self.session.get("tools", []))

    # -- conversation ----------------------------------------------------------------------

    async def _on_conversation_item_create(self, event: dict[str, Any]) -> None:
        item = copy.deepcopy(event["item"])
        if item.get("type") == "message" and item.get("role") == "assistant":
            for index, part in enumerate(item.get("content") or []):
                if part.get("type") in ("output_audio", "audio"):
                    raise ClientEventError(
                        "Assistant messages cannot contain audio; use output_text.",
                        code="invalid_value",
                        param=f"item.content[{index}].type",
                    )
        if item.get("type") == "function_call_output" and not self.conversation.has_call(
            item["call_id"]
        ):
            raise ClientEventError(
                f"No tool call found with call_id '{item['call_id']}'.",
                code="invalid_value",
                param="item.call_id",
            )
        if item.get("type") == "mcp_approval_response":
            await self.hosted_mcp.answer(self, item)
        item.setdefault("object", "realtime.item")
        if item.get("type") in ("message", "function_call", "function_call_output"):
            item.setdefault("status", "completed")
        previous = self.conversation.add(item, event.get("previous_item_id"))
        public = public_item(item)
        await self.emit(
            {"type": "conversation.item.added", "previous_item_id": previous, "item": public}
        )
        await self.emit(
            {"type": "conversation.item.done", "previous_item_id": previous, "item": public}
        )

    async def _on_conversation_item_delete(self, event: dict[str, Any]) -> None:
        self.conversation.delete(event["item_id"])
        await self.emit({"type": "conversation.item.deleted", "item_id": event["item_id"]})

    async def _on_conversation_item_retrieve(self, event: dict[str, Any]) -> None:
        item = self.conversation.get(event["item_id"])
        full = {k: v for k, v in item.items() if not k.startswith("_")}
        await self.emit({"type": "conversation.item.retrieved", "item": full})

    async def _on_conversation_item_truncate(self, event: dict[str, Any]) -> None:
        item = self.conversation.get(event["item_id"])
        if item.get("role") != "assistant":
            raise ClientEventError(
                "Only assistant messages can be truncated.", code="invalid_value", param="item_id"
            )
        index = event["content_index"]
        content = item.get("content", [])
        if index >= len(content) or content[index].get("type") != "output_audio":
            raise ClientEventError(
                f"Content index {index} has no audio to truncate.",
                code="invalid_value",
                param="content_index",
            )
        part = content[index]
        fmt = item.get("_audio_format", "audio/pcm")
        data = base64.b64decode(part.get("audio") or "")
        length_ms = audio.duration_ms(len(data), fmt)
        if event["audio_end_ms"] > length_ms:
            raise ClientEventError(
                f"audio_end_ms ({event['audio_end_ms']}) is past the audio's end ({length_ms} ms).",
                code="invalid_value",
                param="audio_end_ms",
            )
        keep = int(event["audio_end_ms"] * audio.bytes_per_ms(fmt))
        part["audio"] = base64.b64encode(data[:keep]).decode()
        part["transcript"] = ""  # the unheard text leaves the context
        await self.emit(
            {
                "type": "conversation.item.truncated",
                "item_id": item["id"],
                "content_index": index,
                "audio_end_ms": event["audio_end_ms"],
            }
        )

    async def _on_output_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        if not self.options.webrtc:
            raise ClientEventError(
                "output_audio_buffer.clear is only supported for WebRTC and SIP sessions; "
                "over a websocket, cancel the response and truncate the item instead.",
                code="invalid_value",
                param="type",
            )
        last = self.active or next(iter(self.responses), None)
        response_id = last.id if last else (self._last_response_id or "")
        await self.emit({"type": "output_audio_buffer.cleared", "response_id": response_id})

    # -- responses -------------------------------------------------------------------------

    _last_response_id: str | None = None

    async def _on_response_create(self, event: dict[str, Any]) -> None:
        await self._start_response(event.get("response") or {})

    async def _start_response(self, params: dict[str, Any], *, from_vad: bool = False) -> None:
        run = ResponseRun(self, params)
        if run.in_conversation:
            if self.active is not None:
                if from_vad:
                    return
                raise ClientEventError(
                    f"Conversation already has an active response in progress: {self.active.id}. "
                    "Wait until the response is finished before creating a new one.",
                    code="conversation_already_has_active_response",
                )
            self.active = run
        self._cancel_idle()
        self.responses.add(run)
        run.task = asyncio.get_running_loop().create_task(run.run())

    async def _on_response_cancel(self, event: dict[str, Any]) -> None:
        wanted = event.get("response_id")
        run = next((r for r in self.responses if r.id == wanted), None) if wanted else self.active
        if run is None:
            raise ClientEventError(
                "Cancellation failed: no active response found.", code="response_cancel_not_active"
            )
        run.cancel("client_cancelled")

    def response_finished(self, run: ResponseRun) -> None:
        self.responses.discard(run)
        self._last_response_id = run.id
        if self.active is run:
            self.active = None
            self._arm_idle(run.audio_ms)

    def context_items(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        given = params.get("input")
        if given is None:
            return list(self.conversation.items)  # a snapshot: the model sees this moment
        out = []
        for item in given:
            if item.get("type") == "item_reference":
                out.append(self.conversation.get(item["id"], param="response.input"))
            else:
                out.append(item)
        return out

    def model_tools(self, override: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        tools = override if override is not None else self.session.get("tools", [])
        functions = [t for t in tools if t.get("type", "function") == "function"]
        hosted: list[dict[str, Any]] = self.hosted_mcp.model_tools(tools)
        return functions + hosted


def _hide_secrets(tool: dict[str, Any]) -> dict[str, Any]:
    # The server never echoes credentials back.
    return {k: v for k, v in tool.items() if k not in ("authorization", "headers")}

"""One response of the emulator, sans I/O: asks the model for a turn and streams it, step by
step, in the real server's event order."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import root_cause
from ..protocol import (
    ConversationItemAdded,
    ConversationItemDone,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseCreated,
    ResponseDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
)
from . import audio
from .actions import AskModel
from .conversation import Conversation, new_id, public_item
from .models import CallFunction, CallMCP, ModelContext, Output, Say
from .outbox import Outbox, Pace, Steps, Until
from .usage import tokens, usage
from .utterance import speech, split

if TYPE_CHECKING:
    from .hosted_mcp import HostedMCP
    from .settings import ServerSettings

log = logging.getLogger("rtagents.emulator")
AUDIO_MS_PER_TOKEN = 50
"""Output audio costs a token per 50 ms, in ``usage`` and against ``max_output_tokens``."""


class ResponseRun:
    """A response in progress. ``steps()`` is its work; a cancel is seen between steps."""

    def __init__(
        self,
        params: dict[str, Any],
        *,
        session: dict[str, Any],
        out: Outbox,
        conversation: Conversation,
        hosted: HostedMCP,
        settings: ServerSettings,
    ) -> None:
        self.params = params
        self.id = new_id("resp")
        self.in_conversation = params.get("conversation", "auto") != "none"
        # Its own input is checked and resolved here, before the response exists: a bad
        # entry is the client's error, and nothing later can fail on it mid-response.
        given = params.get("input")
        self._input = conversation.context(given) if given is not None else None
        self._session = session
        self._out = out
        self._conversation = conversation
        self._hosted = hosted
        self._settings = settings
        self.modalities: list[str] = params.get("output_modalities") or session["output_modalities"]
        out_audio = {**session["audio"]["output"], **(params.get("audio") or {}).get("output", {})}
        self.voice = out_audio.get("voice", "marin")
        self.format = (out_audio.get("format") or {}).get("type", "audio/pcm")
        limit = params.get("max_output_tokens", session.get("max_output_tokens", "inf"))
        self.max_tokens = None if limit in (None, "inf") else int(limit)
        self.cancel_reason: str | None = None
        self.output: list[dict[str, Any]] = []
        self._began_with: set[int] = set()  # the conversation's items as it began (by id())
        self.audio_ms = 0
        self.text_tokens = 0
        self.after_created: list[Callable[[], None]] = []
        """Called once ``response.created`` is out (input transcripts the server sends late)."""

    def cancel(self, reason: str) -> None:
        if self.cancel_reason is None:
            self.cancel_reason = reason

    @property
    def output_tokens(self) -> int:
        return self.text_tokens + self.audio_ms // AUDIO_MS_PER_TOKEN

    def resource(self, status: str, **extra: Any) -> dict[str, Any]:
        res: dict[str, Any] = {
            "id": self.id,
            "object": "realtime.response",
            "status": status,
            "conversation_id": self._conversation.id if self.in_conversation else None,
            "output_modalities": self.modalities,
            "max_output_tokens": self.max_tokens if self.max_tokens is not None else "inf",
            "audio": {
                "output": {"format": {"type": self.format}, "voice": _voice_name(self.voice)}
            },
            "metadata": self.params.get("metadata"),
            "output": [public_item(item) for item in self.output],  # no audio bytes
            "usage": None,
            "status_details": None,
        }
        res.update(extra)
        return res

    # -- the run ---------------------------------------------------------------------------

    def steps(self) -> Steps[None]:
        # Its input is the conversation as it began: an item the client adds after (a
        # message sent right after its response.create) is not in it, as on the API.
        self._began_with = {id(item) for item in self._conversation.context()}
        self._out.emit(ResponseCreated, response=self.resource("in_progress"))
        for deliver in self.after_created:
            deliver()
        yield None
        status = "completed"
        details: dict[str, Any] = {"type": "completed"}
        try:
            # Hosted MCP calls approved since the last response run first; after calls run,
            # the model is asked again within this response, to answer from their output.
            # Tools still being listed are part of the session: the model waits for them.
            if self._hosted.listing:
                yield Until(lambda: not self._hosted.listing)
            # Only into the conversation: an out-of-band response (a filler, the app's own)
            # would leave the calls' items and outputs where no later turn sees them.
            ran = (yield from self._hosted.run_approved(self)) if self.in_conversation else 0
            for _ in range(4):
                turn = yield AskModel(0, self._context())
                if self.cancel_reason:
                    break
                ran, truncated = yield from self._play(list(turn), ran)
                if truncated:
                    status = "incomplete"
                    details = {"type": "incomplete", "reason": "max_output_tokens"}
                if not ran or truncated or self.cancel_reason:
                    break
        except Exception as exc:  # the model failed: the response fails, the session lives
            status = "failed"
            details = {
                "type": "failed",
                "error": {"type": "server_error", "code": type(exc).__name__},
            }
            log.warning("emulator model failed: %s", root_cause(exc))
        if self.cancel_reason:
            status, details = "cancelled", {"type": "cancelled", "reason": self.cancel_reason}
        self._out.emit(
            ResponseDone,
            response=self.resource(
                status,
                status_details=details,
                usage=usage(self._read(), self.text_tokens, self.audio_ms // AUDIO_MS_PER_TOKEN),
            ),
        )

    def _items(self) -> list[dict[str, Any]]:
        """What the response sees: its own input, or the conversation as it began, with what
        the response added since (its outputs, its hosted tools' calls)."""
        if self._input is not None:
            return list(self._input)
        began, own = self._began_with, {id(item) for item in self.output}
        items = self._conversation.context()
        return [i for i in items if id(i) in began or id(i) in own]

    def _read(self) -> list[dict[str, Any]]:
        """What the response read, for its usage's input: what it sees, less what it said."""
        own = {id(item) for item in self.output}
        return [i for i in self._items() if id(i) not in own]

    def _context(self) -> ModelContext:
        choice = self.params.get("tool_choice") or self._session.get("tool_choice") or "auto"
        tools = self._hosted.model_tools(self.params.get("tools"), self._session)
        return ModelContext(
            items=self._items(),
            instructions=self.params.get("instructions") or self._session.get("instructions", ""),
            tools=_allowed_by(choice, tools),
            metadata=self.params.get("metadata"),
            tool_choice=choice,
        )

    def _play(self, turn: list[Output], ran: int) -> Steps[tuple[int, bool]]:
        """Stream one turn's outputs; returns (hosted MCP calls that ran, truncated)."""
        ran_now = 0
        for output in turn:
            index = len(self.output)
            if self.cancel_reason:
                break
            if isinstance(output, Say):
                if (yield from self._message(index, output.text)):
                    return ran_now, True
            elif isinstance(output, CallFunction):
                yield from self._function_call(index, output)
            elif isinstance(output, CallMCP):
                ran_now += int((yield from self._hosted.call(self, index, output)))
        return ran_now, False

    # -- outputs ---------------------------------------------------------------------------

    def add_item(self, index: int, item: dict[str, Any]) -> None:
        """Announce a new output item (and add it to the conversation when in one)."""
        self.output.append(item)
        self._out.emit(
            ResponseOutputItemAdded, response_id=self.id, output_index=index, item=public_item(item)
        )
        if self.in_conversation:
            previous = self._conversation.add(item)
            self._out.emit(ConversationItemAdded, previous_item_id=previous, item=public_item(item))

    def finish_item(self, index: int, item: dict[str, Any]) -> None:
        self._out.emit(
            ResponseOutputItemDone, response_id=self.id, output_index=index, item=public_item(item)
        )
        if self.in_conversation:
            previous = self._conversation.previous_id(item["id"])
            self._out.emit(ConversationItemDone, previous_item_id=previous, item=public_item(item))

    def _over_budget(self, text: str, audio_ms: int) -> bool:
        if self.max_tokens is None:
            return False
        spent = self.text_tokens + tokens(text) + (self.audio_ms + audio_ms) // AUDIO_MS_PER_TOKEN
        return spent > self.max_tokens

    def _message(self, index: int, text: str) -> Steps[bool]:
        """Stream an assistant message; returns True when cut short by ``max_output_tokens``."""
        spoken = "audio" in self.modalities
        item: dict[str, Any] = {
            "id": new_id("item"),
            "object": "realtime.item",
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        self.add_item(index, item)
        ids = {"response_id": self.id, "item_id": item["id"], "output_index": index}
        ids["content_index"] = 0
        kind = "audio" if spoken else "text"
        part: dict[str, Any] = {"type": kind, **({"transcript": ""} if spoken else {"text": ""})}
        self._out.emit(ResponseContentPartAdded, **ids, part=part)
        # The part is in the item from now on, so that an item still streaming can be
        # truncated (a client that hears the user barge in truncates at once).
        content: dict[str, Any] = {"type": "output_audio" if spoken else "output_text"}
        content["transcript" if spoken else "text"] = ""
        item["content"] = [content]
        item["_audio_format"] = self.format
        item["_pcm"] = bytearray()
        said = ""
        truncated = False
        pieces = words(text)
        # Spoken, the whole message is said at once and its audio cut into the words'
        # shares: each transcript delta goes out with the audio it stands for.
        whole = (yield from speech(self._settings.voice, text)) if spoken else None
        cuts = split(whole, pieces) if whole is not None else []
        for number, word in enumerate(pieces):
            if self.cancel_reason:
                break
            span = cuts[number] if whole is not None else None
            word_ms = len(span) * 1000 // audio.RATE if span is not None else 0
            if self._over_budget(said + word, word_ms):
                truncated = True
                break
            said += word
            if whole is None or span is None:
                self._out.emit(ResponseOutputTextDelta, **ids, delta=word)
                content["text"] = said
                yield None
                continue
            self._out.emit(ResponseOutputAudioTranscriptDelta, **ids, delta=word)
            if not item.get("_truncated"):
                content["transcript"] = said
            yield from self._stream_audio(ids, item, whole, span)
        self.text_tokens += tokens(said)
        if spoken:
            self._conversation.audio_sent = True
            self._out.emit(ResponseOutputAudioDone, **ids)
            self._out.emit(ResponseOutputAudioTranscriptDone, **ids, transcript=said)
            done_part = {"type": "audio", "transcript": said}
        else:
            self._out.emit(ResponseOutputTextDone, **ids, text=said)
            done_part = {"type": "text", "text": said}
        self._out.emit(ResponseContentPartDone, **ids, part=done_part)
        item["status"] = "incomplete" if self.cancel_reason or truncated else "completed"
        self.finish_item(index, item)
        return truncated

    def _stream_audio(
        self, ids: dict[str, Any], item: dict[str, Any], pcm: Any, span: range
    ) -> Steps[None]:
        chunk = audio.RATE * self._settings.audio_chunk_ms // 1000
        for start in range(span.start, span.stop, chunk):
            if self.cancel_reason:
                return
            data = audio.from_pcm16(pcm, self.format, start, min(start + chunk, span.stop))
            if not item.get("_truncated"):  # after a truncate, the rest was never heard
                item["_pcm"].extend(data)
            ms = audio.duration_ms(len(data), self.format)
            self.audio_ms += ms
            delta = base64.b64encode(data).decode()
            self._out.emit(ResponseOutputAudioDelta, **ids, delta=delta)
            yield Pace(ms) if self._settings.realtime else None

    def _function_call(self, index: int, call: CallFunction) -> Steps[None]:
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
        self.add_item(index, item)
        ids = {
            "response_id": self.id,
            "item_id": item["id"],
            "output_index": index,
            "call_id": item["call_id"],
        }
        for start in range(0, len(arguments), 32):
            delta = arguments[start : start + 32]
            self._out.emit(ResponseFunctionCallArgumentsDelta, **ids, delta=delta)
            yield None
        self.text_tokens += tokens(arguments)
        self._out.emit(
            ResponseFunctionCallArgumentsDone, **ids, name=call.name, arguments=arguments
        )
        item["arguments"] = arguments
        item["status"] = "completed"
        self.finish_item(index, item)


def words(text: str) -> list[str]:
    """Split keeping the spaces, so that joined deltas give back the text exactly."""
    out: list[str] = []
    for piece in text.split(" "):
        out.append(piece if not out else " " + piece)
    return [w for w in out if w] or ([text] if text else [])


def _allowed_by(choice: Any, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tools a ``tool_choice`` leaves the model: none for ``"none"``; for a named function
    that one; for a named MCP server its tools (the named one alone, with a ``name``)."""
    if choice == "none":
        return []
    if not isinstance(choice, dict):
        return tools  # "auto", "required"
    if choice.get("type") == "function":
        return [t for t in tools if t["type"] == "function" and t.get("name") == choice.get("name")]
    if choice.get("type") == "mcp":
        name = choice.get("name")
        return [
            t
            for t in tools
            if t["type"] == "mcp_tool"
            and t.get("server_label") == choice.get("server_label")
            and (name is None or t.get("name") == name)
        ]
    return tools


def _voice_name(voice: Any) -> Any:
    """A response's voice as the response resource names it: a string (a custom voice,
    ``{"id": "voice_..."}`` in the session, by its id: the SDK's ``RealtimeResponse`` types
    the field as a string, and a strict client refuses the whole event otherwise)."""
    return voice.get("id", voice) if isinstance(voice, dict) else voice

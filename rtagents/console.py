"""A readable live transcript of a session, for the demo, ``rtagents run`` and your own apps."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from ._json import format_arguments, json_object, shown_name
from .protocol.audio_formats import base64_audio_ms, reported_output_format


class Transcript:
    """Turns session events into lines: user and assistant turns, tool calls with arguments
    and results, approvals, hosted MCP calls, and timings.

    ``session.on("*")(Transcript())`` prints a session as it happens.
    """

    def __init__(
        self,
        out: TextIO | None = None,
        *,
        color: bool | None = None,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.out = out or sys.stdout
        self.color = self.out.isatty() if color is None else color
        self._write = write
        self.lines: list[str] = []
        self._turn_started: float | None = None
        self._audio_ms = 0
        self.output_format = "audio/pcm"
        """The format of the answers' audio it counts, until an event says (``session.created``
        and the like): given a session's ``output_format`` when it listens from after them."""
        self._said = ""  # the assistant's words so far (GPT-Live has no end-of-answer event)

    def _paint(self, code: str, text: str) -> str:
        # What a tool, a server or the model said reaches the terminal as text only: an
        # escape code in it could erase a line and draw another (an approval prompt's).
        # A line of theirs after a line break is indented: no prompt can be drawn by one.
        text = _CONTROL.sub(lambda m: repr(m[0])[1:-1], text).replace("\n", "\n    ")
        return f"\033[{code}m{text}\033[0m" if self.color else text

    def say(self, line: str) -> None:
        self.lines.append(line)
        if self._write is not None:
            self._write(line)
        else:
            print(line, file=self.out, flush=True)

    def user(self, text: str) -> None:
        self._turn_started = time.perf_counter()
        self._audio_ms = 0
        self.say(self._paint("1", f"user: {text}"))

    def __call__(self, event: Any) -> None:
        kind = event.type
        if kind == "tool.call.started":
            # What the model sent; the approval line shows what the tool will receive.
            self.say(
                self._paint("36", f"  -> {shown_name(event.name)}({_args(event.arguments_json)})")
            )
        elif kind == "tool.call.completed":
            self.say(
                self._paint(
                    "36",
                    f"  <- {event.name}: {_clip(event.output)}  ({event.duration_s * 1000:.1f} ms)",
                )
            )
        elif kind == "tool.call.failed":
            self.say(
                self._paint(
                    "31", f"  <- {event.name} failed ({event.kind}): {_clip(event.message)}"
                )
            )
        elif kind == "approval.requested":
            self.say(
                self._paint(
                    "33", f"  ? approval needed: {event.request.describe()} [{event.request.kind}]"
                )
            )
        elif kind == "approval.decided":
            verdict = "approved" if event.approve else "declined"
            reason = f" ({event.reason})" if event.reason else ""
            self.say(self._paint("33", f"  ! {verdict} by {event.decided_by}{reason}"))
        elif kind == "mcp_list_tools.completed":
            self.say(self._paint("35", "  [hosted MCP] tools listed"))
        elif kind == "response.output_item.done" and event.item.type == "mcp_call":
            item = event.item
            result = item.output if item.error is None else f"error: {item.error.message}"
            self.say(
                self._paint(
                    "35",
                    f"  [hosted MCP {shown_name(item.server_label)}] {shown_name(item.name)}"
                    f"({_args(item.arguments)}) -> {_clip(result or '')}",
                )
            )
        elif kind == "response.output_audio.delta":
            self._audio_ms += base64_audio_ms(len(event.delta), self.output_format)
        elif kind in ("session.created", "session.updated", "session.started"):
            self.output_format = reported_output_format(event) or self.output_format
        elif kind == "transcript.delta" and event.role == "assistant":
            self._said += event.delta
        elif kind == "session.usage.updated" and self._said.strip():
            # GPT-Live: an utterance ended (its usage counted); say what it said.
            spoken, self._said = self._said.strip(), ""
            self.say(self._paint("32", f"assistant: {spoken}"))
        elif kind in ("response.output_text.done", "response.output_audio_transcript.done"):
            self._said = ""
            text = getattr(event, "text", None) or getattr(event, "transcript", "")
            timing = ""
            if self._turn_started is not None:
                timing = f"  [{(time.perf_counter() - self._turn_started) * 1000:.0f} ms"
                timing += f", {self._audio_ms / 1000:.1f} s of audio]" if self._audio_ms else "]"
            self.say(self._paint("32", f"assistant: {text}") + self._paint("2", timing))
        elif kind == "conversation.item.input_audio_transcription.completed":
            self.user(f"{event.transcript}  (heard)")
        elif kind == "session.warning":
            self.say(self._paint("31", f"  warning: {event.message}"))
        elif kind == "error":
            self.say(self._paint("31", f"  server error: {event.error.message}"))
        elif kind == "session.closed" and event.error:
            self.say(self._paint("31", f"  the session ended: {event.reason}"))


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # (but a line break and a tab)


def _args(arguments: str) -> str:
    return format_arguments(json_object(arguments))


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."

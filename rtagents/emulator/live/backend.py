"""The Responses backend of a GPT-Live session, sans I/O: one response at a time, its stream
sent as Responses streaming events, each wrapped in a ``response.event`` tagged with the
delegation it works for.

A response made by the Live model's delegation plays the calls that model's turn chose; a
response the client asks for (``response.create``) runs the hosted MCP calls approved since,
then asks the model, as many times as hosted calls ran (as the Realtime server does). Function
calls end a response: the client answers them (``response.item.create``) and asks again.
"""

from __future__ import annotations

import logging
from typing import Any

from ...errors import root_cause
from ...protocol import WireModel
from ...protocol import live as lp
from ..actions import AskModel
from ..conversation import Conversation, new_id, public_item
from ..hosted_mcp import HostedMCP
from ..models import CallFunction, CallMCP, ModelContext, Output, Say
from ..outbox import E, Outbox, Steps, Until
from ..responses import words
from ..usage import tokens

log = logging.getLogger("rtagents.emulator")

_MCP_EVENTS = frozenset(
    {
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
    }
)
"""What the shared hosted MCP code emits that the Responses stream has too (same names)."""


class BackendRun:
    """One response of the backend (see the module's docstring)."""

    def __init__(
        self,
        *,
        out: Outbox,
        conversation: Conversation,
        hosted: HostedMCP,
        config: dict[str, Any],
        instructions: str,
        delegation_id: str | None,
        created_at: int,
        given: list[Output] | None = None,
    ) -> None:
        self.id = new_id("resp")
        self.delegation_id = delegation_id
        self.requested_by: str | None = None
        """The event id of the client's ``response.create`` that started it, if one did:
        each of its events names it (``client_event_id``)."""
        self.output: list[dict[str, Any]] = []
        self.text = ""
        """What its messages said: what the Live model says for it once it is done."""
        self._out = out
        self._conversation = conversation
        self._hosted = hosted
        self._config = config
        self._instructions = instructions
        self._created_at = created_at
        self._given = given
        self._sequence = 0
        self._text_tokens = 0

    @property
    def call_ids(self) -> list[str]:
        """Its function calls, which the client answers."""
        return [i["call_id"] for i in self.output if i.get("type") == "function_call"]

    @property
    def asks_approval(self) -> bool:
        return bool(self.approval_ids)

    @property
    def approval_ids(self) -> list[str]:
        """Its hosted MCP approval requests, which the client answers."""
        return [i["id"] for i in self.output if i.get("type") == "mcp_approval_request"]

    def stream(self, kind: str, **fields: Any) -> None:
        """Send one event of the response's stream, in a ``response.event``."""
        event = {"type": kind, "sequence_number": self._sequence, **fields}
        self._sequence += 1
        named = {"client_event_id": self.requested_by} if self.requested_by else {}
        self._out.emit(lp.ResponseEvent, event=event, delegation_id=self.delegation_id, **named)

    def snapshot(self, status: str) -> dict[str, Any]:
        """The response as its lifecycle events show it: without its input, instructions,
        tools and output (the stream's other events carry those), as the Live API sends it."""
        return {
            "id": self.id,
            "object": "response",
            "created_at": self._created_at,
            "model": self._config.get("model", ""),
            "status": status,
            "output": [],
            "tools": [],
            "instructions": None,
            "parallel_tool_calls": self._config.get("parallel_tool_calls", True),
            "tool_choice": self._config.get("tool_choice", "auto"),
            "error": None,
            "incomplete_details": None,
            "usage": None,
        }

    # -- the run ---------------------------------------------------------------------------

    def steps(self) -> Steps[None]:
        self.stream("response.created", response=self.snapshot("in_progress"))
        self.stream("response.in_progress", response=self.snapshot("in_progress"))
        yield None
        status, error = "completed", None
        try:
            if self._hosted.listing:
                yield Until(lambda: not self._hosted.listing)
            for item in self._hosted.listed():  # (what the session reads tools' hints from)
                index = len(self.output)
                self.output.append(item)
                self.stream("response.output_item.added", output_index=index, item=item)
                self.stream("response.output_item.done", output_index=index, item=item)
            if self._given is not None:
                ask = (yield from self._play(self._given)) > 0
            else:
                ask = True
                yield from self._hosted.run_approved(self)
            for _ in range(4):
                if not ask:
                    break
                turn = yield AskModel(0, self.context())
                ask = (yield from self._play(list(turn))) > 0
        except Exception as exc:  # the model failed: the response fails, the session lives
            status = "failed"
            error = {"code": "server_error", "message": root_cause(exc)}
            log.warning("emulator model failed: %s", error["message"])
        response = self.snapshot(status) | {"usage": self._usage()}
        if error is not None:
            response["error"] = error
        self.stream(f"response.{status}", response=response)

    def context(self) -> ModelContext:
        return ModelContext(
            items=self._conversation.context(),
            instructions=self._instructions,
            tools=self._hosted.model_tools(self._config.get("tools") or [], {}),
        )

    def _play(self, turn: list[Output]) -> Steps[int]:
        """Stream one turn's outputs; how many hosted MCP calls ran (the model answers from
        them in the same response, unless function calls wait for the client)."""
        ran = 0
        for output in turn:
            index = len(self.output)
            if isinstance(output, Say):
                yield from self._message(index, output.text)
            elif isinstance(output, CallFunction):
                yield from self._function_call(index, output)
            elif isinstance(output, CallMCP):
                ran += int((yield from self._hosted.call(self, index, output)))
        return 0 if self.call_ids else ran

    # -- output items (``add_item``/``finish_item`` are what hosted MCP calls use) -----------

    def add_item(self, index: int, item: dict[str, Any]) -> None:
        if item["type"] == "mcp_call":
            item.setdefault("status", "in_progress")
        self.output.append(item)
        self._conversation.add(item)
        self.stream("response.output_item.added", output_index=index, item=public_item(item))

    def finish_item(self, index: int, item: dict[str, Any]) -> None:
        if item["type"] == "mcp_call":
            item["status"] = "failed" if item.get("error") else "completed"
        elif "status" in item:
            item["status"] = "completed"
        self.stream("response.output_item.done", output_index=index, item=public_item(item))

    def _message(self, index: int, text: str) -> Steps[None]:
        item: dict[str, Any] = {
            "id": new_id("msg"),
            "type": "message",
            "role": "assistant",
            "status": "in_progress",
            "content": [],
        }
        self.add_item(index, item)
        ids = {"item_id": item["id"], "output_index": index, "content_index": 0}
        part: dict[str, Any] = {"type": "output_text", "text": "", "annotations": []}
        self.stream("response.content_part.added", **ids, part=part)
        said = ""
        for word in words(text):
            said += word
            self.stream("response.output_text.delta", **ids, delta=word, logprobs=[])
            yield None
        self.stream("response.output_text.done", **ids, text=said, logprobs=[])
        part = {**part, "text": said}
        self.stream("response.content_part.done", **ids, part=part)
        item["content"] = [part]
        self.text = f"{self.text} {said}".strip()
        self._text_tokens += tokens(said)
        self.finish_item(index, item)

    def _function_call(self, index: int, call: CallFunction) -> Steps[None]:
        arguments = call.arguments_json
        item: dict[str, Any] = {
            "id": new_id("fc"),
            "type": "function_call",
            "status": "in_progress",
            "name": call.name,
            "call_id": call.call_id or new_id("call"),
            "arguments": "",
        }
        self.add_item(index, item)
        ids = {"item_id": item["id"], "output_index": index}
        for start in range(0, len(arguments), 32):
            self.stream(
                "response.function_call_arguments.delta", **ids, delta=arguments[start : start + 32]
            )
            yield None
        self.stream("response.function_call_arguments.done", **ids, arguments=arguments)
        item["arguments"] = arguments
        self._text_tokens += tokens(arguments)
        self.finish_item(index, item)

    def _usage(self) -> dict[str, Any]:
        seen = 0
        for item in self._conversation.context():
            content = item.get("content")
            parts = content if isinstance(content, list) else [{"text": content or ""}]
            seen += sum(tokens(str(p.get("text") or "")) for p in parts if isinstance(p, dict))
            seen += tokens(str(item.get("output") or item.get("arguments") or ""))
        return {
            "input_tokens": seen,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": self._text_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": seen + self._text_tokens,
        }


class ResponsesBridge:
    """The shared hosted MCP code's outbox on a Live session: what it emits as Realtime
    events becomes the same events of the Responses stream, in the running response's
    ``response.event``s. What Live has no event for (conversation items, tool listings)
    is not sent (a backend response streams the listings it may use: ``BackendRun``)."""

    def __init__(self) -> None:
        self.run: BackendRun | None = None
        """The backend response streaming now."""

    def emit(self, kind: type[E], /, **fields: Any) -> object:
        name = str(_type_of(kind))
        if self.run is not None and name in _MCP_EVENTS:
            fields.pop("response_id", None)
            self.run.stream(name, **fields)
        return None


def counted_as(event: WireModel) -> tuple[str, ...]:
    """What a fault counts a Live event as: its type, and a ``response.event``'s inner one
    (a backend response's stream event: ``DropConnection(after="response.created")``)."""
    kind = str(getattr(event, "type", ""))
    if isinstance(event, lp.ResponseEvent):
        return kind, str(event.event.get("type", ""))
    return (kind,)


def _type_of(kind: type[WireModel]) -> Any:
    return kind.model_fields["type"].default

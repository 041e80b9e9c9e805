"""What a session did, with assertions that say what happened when they fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._json import format_arguments, json_object


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call: its arguments, the output the model got, and how it ended."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    output: str | None = None
    failure: str | None = None  # invalid_arguments, error, timeout, cancelled, denied, ...

    @property
    def succeeded(self) -> bool:
        return self.output is not None and self.failure is None


@dataclass(frozen=True)
class ApprovalRecord:
    tool_name: str
    kind: str
    arguments: dict[str, Any]
    approved: bool
    decided_by: str
    reason: str | None


@dataclass
class SessionRecord:
    """Everything a test might ask about a session run against the emulator."""

    events: list[Any] = field(default_factory=list)
    client_events: list[dict[str, Any]] = field(default_factory=list)
    model_contexts: list[Any] = field(default_factory=list)
    """What the scripted model saw at each turn (instructions, conversation, tools)."""

    # -- views -----------------------------------------------------------------------------

    @property
    def outputs(self) -> dict[str, str]:
        """The ``function_call_output`` the client sent for each call id (from the wire)."""
        return sent_outputs(self.client_events)

    def of(self, kind: str) -> list[Any]:
        """The session's events of ``kind``, in order."""
        return [e for e in self.events if e.type == kind]

    def sent(self, kind: str) -> list[dict[str, Any]]:
        """The client events of ``kind`` the server received (from the wire), in order."""
        return [e for e in self.client_events if e.get("type") == kind]

    @property
    def calls(self) -> list[ToolCallRecord]:
        """Every call, in the order it began (a call whose arguments were invalid never
        starts: it appears where it failed), hosted MCP calls (run by the server) included,
        where the server said they ended."""
        ended = {
            e.call_id: e
            for e in self.events
            if e.type in ("tool.call.completed", "tool.call.failed")
        }
        order: dict[str, str | ToolCallRecord] = {}  # call id -> its arguments, as sent
        for e in self.events:
            if e.type == "tool.call.started" or (
                e.type == "tool.call.failed" and e.call_id not in order
            ):
                order.setdefault(e.call_id, e.arguments_json)
            elif (hosted := _hosted_call(e)) is not None:
                order.setdefault(hosted.call_id, hosted)
        out = []
        for call_id, arguments in order.items():
            if isinstance(arguments, ToolCallRecord):
                out.append(arguments)
                continue
            end = ended.get(call_id)
            name = end.name if end is not None else self._started_name(call_id)
            out.append(
                ToolCallRecord(
                    call_id,
                    name,
                    json_object(arguments),
                    output=getattr(end, "output", None),
                    failure=end.kind
                    if end is not None and end.type == "tool.call.failed"
                    else None,
                )
            )
        return out

    def _started_name(self, call_id: str) -> str:
        return str(next(e.name for e in self.of("tool.call.started") if e.call_id == call_id))

    @property
    def approvals(self) -> list[ApprovalRecord]:
        return [
            ApprovalRecord(
                e.request.tool_name,
                e.request.kind,
                e.request.arguments,
                e.approve,
                e.decided_by,
                e.reason,
            )
            for e in self.of("approval.decided")
        ]

    @property
    def replies(self) -> list[str]:
        """What the assistant said, in order (text, or the transcript of audio)."""
        return [
            str(getattr(e, "text", None) or getattr(e, "transcript", ""))
            for e in self.events
            if e.type in ("response.output_text.done", "response.output_audio_transcript.done")
        ]

    @property
    def reply(self) -> str:
        """The last thing the assistant said."""
        return self.replies[-1] if self.replies else ""

    def call(self, name: str) -> ToolCallRecord:
        """The one call of ``name`` (an error if there were none or several)."""
        found = [c for c in self.calls if c.name == name]
        if len(found) != 1:
            raise AssertionError(
                f"expected one call of {name!r}, got {len(found)}; calls: {self._calls_text()}"
            )
        return found[0]

    # -- assertions ------------------------------------------------------------------------

    def assert_called(self, name: str, /, **arguments: Any) -> ToolCallRecord:
        """Some call of ``name`` had (at least) these arguments."""
        for call in self.calls:
            given = call.arguments
            if call.name == name and all(
                k in given and given[k] == v for k, v in arguments.items()
            ):
                return call
        wanted = f"{name}({format_arguments(arguments)})"
        raise AssertionError(f"no call {wanted}; calls: {self._calls_text()}")

    def assert_not_called(self, name: str) -> None:
        found = [c for c in self.calls if c.name == name]
        if found:
            raise AssertionError(f"{name!r} was called: {self._calls_text()}")

    def assert_approval(
        self, tool_name: str, *, approved: bool, by: str | None = None
    ) -> ApprovalRecord:
        """A request for ``tool_name`` was decided so (and by ``rule``/``handler``/``user``/...)."""
        for record in self.approvals:
            if (
                record.tool_name == tool_name
                and record.approved is approved
                and (by is None or record.decided_by == by)
            ):
                return record
        seen = (
            ", ".join(
                f"{a.tool_name}: {'approved' if a.approved else 'declined'} by {a.decided_by}"
                for a in self.approvals
            )
            or "none"
        )
        raise AssertionError(
            f"no approval of {tool_name!r} {'approved' if approved else 'declined'}{f' by {by}' if by else ''}; approvals: {seen}"
        )

    def _calls_text(self) -> str:
        parts = []
        for c in self.calls:
            end = f" -> {c.output!r}" if c.failure is None else f" -> failed ({c.failure})"
            parts.append(f"{c.name}({format_arguments(c.arguments)}){end}")
        return "; ".join(parts) or "none"


def sent_outputs(client_events: list[dict[str, Any]]) -> dict[str, str]:
    """Call id -> the ``function_call_output`` a client sent, read from its client events
    (the Realtime API's ``conversation.item.create``, GPT-Live's ``response.item.create``).
    One sent twice is the last; ``sent`` shows each."""
    return {
        e["item"]["call_id"]: e["item"]["output"]
        for e in client_events
        if e.get("type") in _ITEM_CREATES
        and isinstance(e.get("item"), dict)
        and e["item"].get("type") == "function_call_output"
    }


_ITEM_CREATES = ("conversation.item.create", "response.item.create")


def _hosted_call(event: Any) -> ToolCallRecord | None:
    """A hosted MCP call the server ran, from its item's end: the Realtime API's
    ``response.output_item.done``, or the one a GPT-Live ``response.event`` wraps."""
    item: Any = None
    if event.type == "response.output_item.done":
        item = event.item
    elif event.type == "response.event" and isinstance(event.event, dict):
        inner = event.event
        item = inner.get("item") if inner.get("type") == "response.output_item.done" else None
    fields = item if isinstance(item, dict) else vars(item) if item is not None else {}
    if fields.get("type") != "mcp_call":
        return None
    return ToolCallRecord(
        str(fields.get("id") or ""),
        str(fields.get("name") or ""),
        json_object(fields.get("arguments") or "{}"),
        output=fields.get("output"),
        failure=None if fields.get("error") is None else "error",
    )

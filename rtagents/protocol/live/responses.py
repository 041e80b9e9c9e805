"""The Responses streaming events a ``response.event`` wraps, those the framework acts on:
a response's lifecycle, its output items, function call arguments and stream errors.

Every other Responses event (text and reasoning deltas, hosted tools' progress, ...) decodes
as an ``UnknownResponsesEvent`` with its object kept in ``raw``: nothing is dropped.
"""

from __future__ import annotations

from typing import Any, Literal, Union, get_args

from .._base import WireModel
from ..codec import UnknownEvent
from .items import ResponseItem

ResponseStatus = Union[
    Literal["completed", "failed", "in_progress", "cancelled", "queued", "incomplete"], str
]


class ResponseError(WireModel):
    """Why a response failed (``code`` such as ``server_error``)."""

    code: str
    message: str
    param: str | None = None
    type: str | None = None
    misalignment: dict[str, Any] | None = None


class IncompleteDetails(WireModel):
    """Why a response stopped short (``max_output_tokens``, ``content_filter``, ...)."""

    reason: str | None = None


class ResponseInputTokensDetails(WireModel):
    """Input tokens read from the prompt cache, and written to it."""

    cached_tokens: int
    cache_write_tokens: int | None = None
    cache_write_tokens_details: dict[str, Any] | None = None


class ResponseOutputTokensDetails(WireModel):
    """Output tokens spent reasoning."""

    reasoning_tokens: int


class ResponseUsage(WireModel):
    """The tokens a delegated response used."""

    input_tokens: int
    input_tokens_details: ResponseInputTokensDetails
    output_tokens: int
    output_tokens_details: ResponseOutputTokensDetails
    total_tokens: int


class Response(WireModel):
    """A snapshot of the Responses backend's response. The Live server leaves out its input
    and clears its instructions, tools and output (read the output from the item events);
    what is not typed here is kept in ``model_extra``. Without an ``id`` (odd, but no reason
    to drop the event that ends a turn) it is the response under way in its delegation."""

    id: str | None = None
    object: Literal["response"] | None = None
    status: ResponseStatus | None = None
    model: str | None = None
    created_at: float | None = None
    completed_at: float | None = None
    error: ResponseError | None = None
    incomplete_details: IncompleteDetails | None = None
    output: list[ResponseItem] | None = None
    usage: ResponseUsage | None = None
    metadata: dict[str, str] | None = None
    previous_response_id: str | None = None


class _ResponsesEvent(WireModel):
    sequence_number: int | None = None


class ResponseCreated(_ResponsesEvent):
    """The backend started a response."""

    type: Literal["response.created"] = "response.created"
    response: Response


class ResponseInProgress(_ResponsesEvent):
    """The response is being generated."""

    type: Literal["response.in_progress"] = "response.in_progress"
    response: Response


class ResponseCompleted(_ResponsesEvent):
    """The response finished, with its usage."""

    type: Literal["response.completed"] = "response.completed"
    response: Response


class ResponseFailed(_ResponsesEvent):
    """The response failed (``response.error``)."""

    type: Literal["response.failed"] = "response.failed"
    response: Response


class ResponseIncomplete(_ResponsesEvent):
    """The response stopped short (``response.incomplete_details``)."""

    type: Literal["response.incomplete"] = "response.incomplete"
    response: Response


class ResponseOutputItemAdded(_ResponsesEvent):
    """An output item began (a function call's arguments are still empty)."""

    type: Literal["response.output_item.added"] = "response.output_item.added"
    output_index: int
    item: ResponseItem


class ResponseOutputItemDone(_ResponsesEvent):
    """An output item is complete: a ``FunctionCall`` to run, an ``McpApprovalRequest`` to
    answer, a ``Message``, an ``McpCall`` the backend ran, ..."""

    type: Literal["response.output_item.done"] = "response.output_item.done"
    output_index: int
    item: ResponseItem


class ResponseFunctionCallArgumentsDelta(_ResponsesEvent):
    """A piece of a function call's arguments (the call is the item ``item_id``)."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    item_id: str
    output_index: int
    delta: str


class ResponseFunctionCallArgumentsDone(_ResponsesEvent):
    """A function call's arguments are complete. The event has no ``call_id``: it is the
    ``FunctionCall`` item's, from ``response.output_item.added``/``done``."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    item_id: str
    output_index: int
    arguments: str


class ResponseErrorEvent(_ResponsesEvent):
    """The backend's stream reported an error."""

    type: Literal["error"] = "error"
    message: str
    code: str | None = None
    param: str | None = None


class UnknownResponsesEvent(UnknownEvent):
    """A Responses event the framework does not type: its fields are kept as attributes and
    its object as ``raw``."""

    sequence_number: int | None = None


ResponsesStreamEvent = Union[
    ResponseCreated,
    ResponseInProgress,
    ResponseCompleted,
    ResponseFailed,
    ResponseIncomplete,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseErrorEvent,
]
"""The Responses events the framework types, as a union mypy can narrow on ``event.type``."""

RESPONSES_EVENT_TYPES: tuple[type[WireModel], ...] = get_args(ResponsesStreamEvent)
"""Every typed Responses event class."""


__all__ = [
    "RESPONSES_EVENT_TYPES",
    "IncompleteDetails",
    "Response",
    "ResponseCompleted",
    "ResponseCreated",
    "ResponseError",
    "ResponseErrorEvent",
    "ResponseFailed",
    "ResponseFunctionCallArgumentsDelta",
    "ResponseFunctionCallArgumentsDone",
    "ResponseInProgress",
    "ResponseIncomplete",
    "ResponseInputTokensDetails",
    "ResponseOutputItemAdded",
    "ResponseOutputItemDone",
    "ResponseOutputTokensDetails",
    "ResponseStatus",
    "ResponseUsage",
    "ResponsesStreamEvent",
    "UnknownResponsesEvent",
]

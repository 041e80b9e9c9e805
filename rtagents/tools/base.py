"""The interface every tool the agent runs itself has: function tools and local MCP tools."""

from __future__ import annotations

import copy
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, ItemsView, KeysView, ValuesView
from typing import Any

import pydantic_core

from ..protocol import FunctionToolDefinition
from .background import Background
from .context import ToolContext
from .failures import FailureFormatter, ToolOutputTooLarge
from .invocation import Invocation

ApprovalCheck = Callable[[ToolContext, dict[str, Any]], "bool | Awaitable[bool]"]
"""Decides per call whether a tool needs approval, given the context and the parsed arguments."""

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def check_tool_name(name: str, owner: str) -> str:
    if not _NAME.fullmatch(name):  # (match's ``$`` passes a trailing newline)
        raise ValueError(
            f"{owner}: tool name {name!r} must be 1-64 letters, digits, '_' or '-' "
            "(the Realtime API's rule for function names)"
        )
    return name


class ToolArgumentsError(ValueError):
    """The model's arguments do not fit the tool's schema; the message says what to fix."""


class BaseTool(ABC):
    """A tool that runs in this process when the model calls it.

    Subclasses say how to parse arguments and how to call; the session does the rest
    (approval, timeout, cancellation, the output item) the same way for every kind.
    """

    name: str
    description: str
    needs_approval: bool | ApprovalCheck = False
    timeout: float | None = None
    cancel_on_interrupt: bool = False
    trigger_response: bool = True
    format_failure: FailureFormatter | None = None
    read_only: bool | None = None
    """Whether the tool only reads (MCP ``readOnlyHint``); ``None`` when unknown."""
    server_label: str | None = None
    """For tools from a local MCP server: the server's label."""
    server_tool_name: str | None = None
    """For tools from a local MCP server: the tool's own name there (``name`` may differ: a
    prefix, or a rename on a clash). Approval rules that deny match it too."""
    background: Background | None = None
    """For a background tool (``@tool(background=True)``): how its call is answered at once
    and its result told when the work ends."""
    runs_in_thread: bool = False
    """True when ``invoke`` runs the code through the invocation's ``run_in_thread`` (the
    session then starts the timeout when a thread is free for it)."""
    runs_inline: bool = False
    """True when ``call`` runs the tool's code to its end without ever awaiting (a sync tool
    declared ``inline=True``). Nothing can interrupt it, so the session starts no deadline
    timer for it."""

    @abstractmethod
    def definition(self) -> FunctionToolDefinition:
        """The tool as the model sees it (a ``RealtimeFunctionTool``)."""

    @abstractmethod
    def parse_arguments(self, arguments: str) -> Any:
        """Validate the model's JSON argument string; raise ``ToolArgumentsError``."""

    @abstractmethod
    async def call(self, arguments: Any, ctx: ToolContext) -> Any:
        """Run the tool with parsed arguments and return its result."""

    def unusable(self) -> str | None:
        """Why the tool cannot run as it is, else ``None``: a ``Toolset`` (and so an
        ``Agent``) refuses it then, rather than fail every call."""
        return None

    async def invoke(self, arguments: Any, ctx: ToolContext, invocation: Invocation) -> Any:
        """How the session runs the tool: ``call``, for a tool whose code runs on the event
        loop. A tool that ``runs_in_thread`` runs its code through ``invocation``."""
        return await self.call(arguments, ctx)

    def arguments_dict(self, arguments: Any) -> dict[str, Any]:
        """The parsed arguments as the tool receives them, by parameter name: what
        approval rules, ``needs_approval`` checks and handlers are shown."""
        if not isinstance(arguments, dict):
            raise TypeError(f"{type(self).__name__} must define arguments_dict()")
        return arguments

    def serialize(self, result: Any) -> str:
        """The ``function_call_output`` text for a result.

        A ``str`` is sent as it is; anything else (pydantic models, dataclasses, dicts,
        lists, dict views, numbers, ``None``, UTF-8 bytes) as JSON, with ``str()`` for types
        JSON cannot hold. A string JSON cannot encode as UTF-8 (a lone surrogate: a file name
        ``os.listdir`` gives) is escaped in it; only a result that still cannot be encoded
        (bytes that are not UTF-8) is sent as ``str()`` whole.
        """
        if isinstance(result, str):  # its characters, as a plain str (a str Enum's value,
            return result if type(result) is str else str.__str__(result)  # not its name)
        try:
            # NaN and infinity have no JSON: null, as JavaScript's JSON.stringify says them.
            return pydantic_core.to_json(result, fallback=_jsonable, inf_nan_mode="null").decode()
        except pydantic_core.PydanticSerializationError:
            pass
        try:  # the same values, to JSON by the standard library, which escapes surrogates
            plain = pydantic_core.to_jsonable_python(
                result, fallback=_jsonable, inf_nan_mode="null"
            )
            return json.dumps(plain, ensure_ascii=False, allow_nan=False)
        except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
            return str(result)

    def output(self, result: Any, limit: int) -> str:
        """``serialize(result)``, or ``ToolOutputTooLarge`` when that is past ``limit`` bytes
        of UTF-8. A result whose length alone shows it too large is not serialised at all.
        The session calls it in a sync tool's worker thread."""
        if type(result) is MadeOutput:
            return str(result)  # made in the worker thread already: never serialised twice
        # pydantic's serialiser holds the GIL, so even in a worker thread a huge result's
        # serialisation pauses the event loop: said too large from its length, it never runs.
        least = _least_size(result)
        if least > limit:
            raise ToolOutputTooLarge(least, limit)
        text = self.serialize(result)
        if over_limit(text, limit):
            size = len(text) if len(text) > limit else len(text.encode("utf-8", "surrogatepass"))
            raise ToolOutputTooLarge(size, limit)
        return text

    def renamed(self, name: str) -> BaseTool:
        """A copy of this tool under another name (used by toolset prefixes)."""
        clone = copy.copy(self)
        clone.name = check_tool_name(name, f"renaming {self.name!r}")
        return clone


def _jsonable(value: Any) -> Any:
    """What pydantic cannot serialise: a dict's view as a list, anything else as ``str()``."""
    if isinstance(value, (KeysView, ValuesView, ItemsView)):
        return list(value)
    return str(value)


class MadeOutput(str):
    """An output ``BaseTool.output`` made already (in a sync tool's worker thread)."""

    __slots__ = ()


def over_limit(text: str, limit: int) -> bool:
    """Whether ``text`` is past ``limit`` bytes of UTF-8 (encoded only when its length
    cannot say: a character is one to four bytes)."""
    if len(text) > limit:
        return True
    if 4 * len(text) <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit


def _least_size(result: Any) -> int:
    """A lower bound of ``serialize(result)``'s size, from ``len`` alone (no walk into it)."""
    if isinstance(result, (str, bytes, bytearray)):
        return len(result)  # itself, its JSON or its str(): at least as long
    if isinstance(result, dict):
        return 5 * len(result) + 1  # {"":0,"":0}: five characters an entry, at least
    if isinstance(result, (list, tuple, set, frozenset)):
        return 2 * len(result) + 1  # [0,0]: two characters an item, at least
    return 0

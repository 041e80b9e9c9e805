"""``@tool``: a typed, documented Python function becomes a Realtime function tool."""

from __future__ import annotations

import functools
import inspect
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Concatenate, Generic, cast, overload

from pydantic import BaseModel, ValidationError
from typing_extensions import ParamSpec, Self, TypeVar

from .._seconds import check_seconds
from ..errors import root_cause
from ..protocol import FunctionToolDefinition
from ._docstrings import parse_docstring
from ._schema import build_signature, described
from .argument_errors import describe_validation_error, sent_as_json
from .background import Background
from .base import ApprovalCheck, BaseTool, ToolArgumentsError, check_tool_name
from .context import ToolContext
from .failures import FailureFormatter, ToolCrashed, ToolOutputTooLarge
from .invocation import STANDALONE, Invocation

P = ParamSpec("P", default=...)
R = TypeVar("R", default=Any)
Q = ParamSpec("Q")  # (a method's parameters after its receiver: see ``__get__``)


class FunctionTool(BaseTool, Generic[P, R]):
    """A Python function the model can call.

    Made by ``tool``. Calling the object calls the function unchanged, so decorated
    functions stay usable (and testable) as plain Python, and type checkers see the
    function's own parameters and result (``FunctionTool[P, R]``).
    """

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str | None = None,
        description: str | None = None,
        needs_approval: bool | ApprovalCheck = False,
        timeout: float | None = None,
        cancel_on_interrupt: bool = False,
        trigger_response: bool = True,
        format_failure: FailureFormatter | None = None,
        inline: bool = False,
        background: bool | Background = False,
    ) -> None:
        source = described(fn)  # a partial's function
        if isinstance(source, FunctionTool):  # its options (needs_approval...) would be lost
            # (A method's function needs its instance: the tool read from that instance.)
            inner = source.name
            function = f"{inner}.fn" if source._instance is None else f"{inner}.fn.__get__(obj)"
            if source is not fn:
                function = f"functools.partial({function}, ...)"
            raise TypeError(
                f"{inner!r} is a tool already: for a tool with other options, make one of "
                f"its function, as in tool(name=..., needs_approval=...)({function})"
            )
        qualname = getattr(source, "__qualname__", None) or type(fn).__qualname__
        if not callable(fn):
            raise TypeError(f"@tool needs a function, got {fn!r}")
        if timeout is not None:
            check_seconds(timeout, f"tool {qualname}: timeout")
        if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            raise TypeError(
                f"tool {qualname} is a generator function: the model reads one result, so "
                "return it (a list, say) rather than yield its parts"
            )
        flags = {"cancel_on_interrupt": cancel_on_interrupt, "trigger_response": trigger_response}
        flags["inline"] = inline
        for option, value in flags.items():
            if not isinstance(value, bool):  # "no" is true: said, not taken as yes
                raise TypeError(f"tool {qualname}: {option} takes True or False, not {value!r}")
        for option, text in (("name", name), ("description", description)):
            if text is not None and not isinstance(text, str):
                raise TypeError(f"tool {qualname}: {option} takes a str, not {text!r:.60}")
        if not (isinstance(needs_approval, bool) or callable(needs_approval)):
            raise TypeError(
                f"tool {qualname}: needs_approval takes True, False or a function of the "
                f"call's arguments, not {needs_approval!r}"
            )
        docs = parse_docstring(source)
        self.fn: Callable[..., Any] = fn  # called with the model's arguments, by name
        self._qualname = qualname
        # A callable object has no name of its own: its class's.
        default = getattr(source, "__name__", None) or type(source).__name__
        self.name = check_tool_name(name or default, f"tool {qualname}")
        self.description = description if description is not None else docs.description
        self.needs_approval = needs_approval
        self.timeout = timeout
        self.cancel_on_interrupt = cancel_on_interrupt
        self.trigger_response = trigger_response
        self.format_failure = format_failure
        self._sig = build_signature(fn, qualname, docs.params)
        self._is_async = inspect.iscoroutinefunction(fn)
        if inline and self._is_async:
            raise ValueError(
                f"tool {qualname}: inline=True is for sync tools (async ones "
                "already run on the event loop)"
            )
        self.inline = inline
        self.background = _background(background, qualname, inline, cancel_on_interrupt)
        self.runs_in_thread = not self._is_async and not inline
        self.runs_inline = inline
        self._instance: Any = None
        # Its name and docs, not its __dict__: attributes on the function (another
        # decorator's ``timeout``, say) must not replace the options given here.
        functools.update_wrapper(self, source, updated=())
        self.__wrapped__ = fn  # its signature: a partial's is what it leaves

    # -- what the model sees -------------------------------------------------------------

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON schema (draft 2020-12) of the arguments."""
        return self._sig.schema

    @property
    def arguments_model(self) -> type[BaseModel]:
        """The pydantic model the model's arguments are validated with."""
        return self._sig.model

    def definition(self) -> FunctionToolDefinition:
        return FunctionToolDefinition(
            type="function",
            name=self.name,
            description=self.description,
            parameters=self.parameters,
        )

    # -- running -------------------------------------------------------------------------

    def unusable(self) -> str | None:
        if self._sig.receiver and self._instance is None:  # see _schema._takes_receiver
            method = self._qualname.rpartition(".")[2]
            return (
                f"tool {self.name!r} is the method {self._qualname} read from its class, with "
                f"no instance to run on: pass a bound method (instance.{method})"
            )
        return None

    def parse_arguments(self, arguments: str) -> BaseModel:
        try:
            # extra="forbid" reaches nested models too, whatever their own config says.
            return self._sig.model.model_validate_json(arguments or "{}", extra="forbid")
        except ValidationError as exc:
            raise ToolArgumentsError(
                describe_validation_error(self.name, exc, sent_as_json(arguments))
            ) from None
        except Exception as exc:
            # A validator of the app's that raises something pydantic does not make a
            # validation error of (``v.strip()`` given a number: AttributeError): it is the
            # arguments it could not take, and the model is told so, as for any other.
            raise ToolArgumentsError(
                f"{self.name}: a validator refused the arguments ({root_cause(exc, None)})"
            ) from None

    def arguments_dict(self, arguments: Any) -> dict[str, Any]:
        # The signature's model holds its fields in its __dict__ and nothing else there.
        return dict(vars(arguments))

    async def call(self, arguments: Any, ctx: ToolContext) -> Any:
        return await self.invoke(arguments, ctx, STANDALONE)

    async def invoke(self, arguments: Any, ctx: ToolContext, invocation: Invocation) -> Any:
        kwargs = self.arguments_dict(arguments)
        if self._sig.context_param is not None:
            kwargs[self._sig.context_param] = ctx
        fn = self.fn if self._instance is None else self.fn.__get__(self._instance)
        limit = invocation.output_limit
        if self._is_async:
            result = await fn(**kwargs)
            return result if type(result) in _PLAIN else await _settled(result, limit)

        finish = invocation.finish

        def run() -> Any:
            try:
                result = fn(**kwargs)
                # A lazy result (a generator, ``map``) is drawn here: in the worker thread,
                # within the call's time limit, not later on the event loop.
                if isinstance(result, Iterator):
                    try:
                        result = _drawn(result, limit)
                    except ToolOutputTooLarge as exc:
                        if finish is None:
                            raise
                        return exc  # handed back, as ``finish`` hands it (the late report)
                # So is the output, in a session: serialised (``str()`` of what JSON cannot
                # hold included) and measured here; what needs the loop is left to ``_settled``.
                if finish is not None and (type(result) in _PLAIN or not _needs_loop(result)):
                    return finish(result)
                return result
            except Exception:
                raise
            except BaseException as exc:  # SystemExit in a worker must not reach the loop
                raise ToolCrashed(root_cause(exc, None)) from exc

        # Sync tools run in a worker thread so that the event loop never waits on them; one
        # declared inline never blocks: no thread hop (and no timeout for its own code).
        result = run() if self.inline else await invocation.run_in_thread(run)
        return result if type(result) in _PLAIN else await _settled(result, limit)

    async def run_json(self, arguments: str, ctx: ToolContext | None = None) -> str:
        """Validate ``arguments`` (the model's JSON string), run, and serialise the result.

        Handy in tests; the session uses the same steps with approvals, timeouts and
        cancellation around them.
        """
        parsed = self.parse_arguments(arguments)
        given = self.arguments_dict(parsed)  # as a session gives them
        context = ctx or ToolContext(call_id="local", tool_name=self.name, arguments=given)
        return self.serialize(await self.call(parsed, context))

    # -- plain Python behaviour ------------------------------------------------------------

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._instance is not None:
            return cast(R, self.fn(self._instance, *args, **kwargs))
        return cast(R, self.fn(*args, **kwargs))

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(
        self: FunctionTool[Concatenate[Any, Q], R], instance: object, owner: type | None = None
    ) -> FunctionTool[Q, R]: ...

    def __get__(self, instance: Any, owner: type | None = None) -> FunctionTool[..., R]:
        # A method's tool, bound: its receiver is filled in (the types keep only the result).
        if instance is None or not self._sig.receiver:
            return self
        bound = self.renamed(self.name)
        assert isinstance(bound, FunctionTool)
        bound._instance = instance
        return bound

    def __repr__(self) -> str:
        return f"<FunctionTool {self.name}>"


def _background(
    background: bool | Background, qualname: str, inline: bool, cancel_on_interrupt: bool
) -> Background | None:
    if background is False:
        return None
    if inline:
        raise ValueError(f"tool {qualname}: an inline tool cannot run in the background")
    if cancel_on_interrupt:
        raise ValueError(
            f"tool {qualname}: background work is not stopped by a barge-in (its call is "
            "answered at once); drop cancel_on_interrupt=True"
        )
    if background is True:
        return Background()
    if not isinstance(background, Background):
        raise TypeError(f"tool {qualname}: background= takes a bool or a Background")
    return background


@overload
def tool(fn: Callable[P, R], /) -> FunctionTool[P, R]: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    needs_approval: bool | ApprovalCheck = False,
    timeout: float | None = None,
    cancel_on_interrupt: bool = False,
    trigger_response: bool = True,
    format_failure: FailureFormatter | None = None,
    inline: bool = False,
    background: bool | Background = False,
) -> Callable[[Callable[P, R]], FunctionTool[P, R]]: ...


def tool(
    fn: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    needs_approval: bool | ApprovalCheck = False,
    timeout: float | None = None,
    cancel_on_interrupt: bool = False,
    trigger_response: bool = True,
    format_failure: FailureFormatter | None = None,
    inline: bool = False,
    background: bool | Background = False,
) -> FunctionTool[..., Any] | Callable[[Callable[..., Any]], FunctionTool[..., Any]]:
    """Make a function tool from a typed, documented function (sync or async).

    Args:
        name: The tool's name (default: the function's name).
        description: What the model is told (default: the docstring's text).
        needs_approval: ``True`` to ask the session's approval policy before every call,
            or a callable given the ``ToolContext`` and the parsed arguments that
            decides per call (it may be async).
        timeout: Seconds before the call is given up and the model told so (default:
            the agent's ``tool_timeout``).
        cancel_on_interrupt: Cancel the call when the user barges in; the model is told.
        trigger_response: ``False`` adds the output to the conversation without asking
            the model for a new turn.
        format_failure: How failures of this tool are told to the model.
        inline: Run a sync tool on the event loop instead of a worker thread. Only for
            tools that never block (pure computation in microseconds): it saves the
            thread hop, but while it runs the session waits, and no timeout can stop it.
        background: Answer the call at once with a "started" output, so the conversation
            goes on; the work runs on, and its result is added as a new message the model
            reads, with one response asked for it. ``timeout`` bounds the work (without
            one it runs until it ends or the session closes: the agent's ``tool_timeout``
            does not apply). A ``Background`` shapes what the model is told.
    """
    options = dict(
        name=name,
        description=description,
        needs_approval=needs_approval,
        timeout=timeout,
        cancel_on_interrupt=cancel_on_interrupt,
        trigger_response=trigger_response,
        format_failure=format_failure,
        inline=inline,
        background=background,
    )
    if fn is not None:
        return FunctionTool(fn, **options)  # type: ignore[arg-type]

    def decorate(f: Callable[..., Any]) -> FunctionTool[..., Any]:
        return FunctionTool(f, **options)  # type: ignore[arg-type]

    return decorate


_PLAIN = frozenset({str, dict, list, int, float, bool, type(None)})
"""Results that are values already (most are): returned as they are, with no coroutine."""


def _needs_loop(result: Any) -> bool:
    return inspect.isawaitable(result) or isinstance(result, AsyncIterator)


async def _settled(result: Any, limit: int | None = None) -> Any:
    """A tool's result as the model should read it: an awaitable (an async function under a
    plain decorator, a missing ``await``) is awaited, once; an iterator is read once into a
    list (see ``_drawn``); an async iterator is refused."""
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, AsyncIterator):
        raise TypeError(
            f"the tool returned an async iterator ({type(result).__name__}): return its items "
            "as a list"
        )
    # A lazy result is drawn here, once, so that what it raises is the tool's error (its
    # serialisation may read it twice, and the second reading would find it spent).
    return _drawn(result, limit) if isinstance(result, Iterator) else result


def _drawn(items: Iterator[Any], limit: int | None) -> list[Any]:
    """A lazy result read into a list; with an output ``limit`` (bytes), only so far as its
    output could fit (an item is two bytes of a JSON list at least): past that it is too
    large, found without reading on (an endless stream, a cursor over a whole table)."""
    if limit is None:
        return list(items)
    most = limit // 2 + 1
    drawn = list(itertools.islice(items, most + 1))
    if len(drawn) > most:
        raise ToolOutputTooLarge(2 * len(drawn), limit)
    return drawn

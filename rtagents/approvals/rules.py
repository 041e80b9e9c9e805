"""Approval rules: allow, deny or ask, by tool name, server, read-only hint and arguments."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Literal, TypedDict, get_args

from .request import ApprovalKind, ApprovalRequest

if TYPE_CHECKING:
    from typing_extensions import Unpack

RuleAction = Literal["allow", "deny", "ask"]


@dataclass(frozen=True)
class Rule:
    """Matches requests; every condition given must hold. ``tool`` and ``server`` are globs.

    ``when`` is given the arguments the tool will receive (see
    ``ApprovalRequest.arguments``) and must return a ``bool``: a predicate that raises
    or returns anything else makes the request a deny (``decided_by="error"``).
    """

    action: RuleAction
    tool: str | Sequence[str] | None = None
    server: str | Sequence[str] | None = None
    kind: ApprovalKind | Sequence[ApprovalKind] | None = None
    read_only: bool | None = None
    when: Callable[[dict[str, Any]], bool] | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        # Read once, kept: an iterator given for the names (``map(...)``) would be used up
        # by the first match, and the rule would match nothing after it.
        for name in ("tool", "server", "kind"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                names = tuple(value) if isinstance(value, Iterable) else (value,)
                if not all(isinstance(v, str) for v in names):
                    raise TypeError(f"{self.action}({name}=...) takes a name or a list of names")
                object.__setattr__(self, name, names)
        _check(self)

    @property
    def targeted(self) -> bool:
        """Whether it says what it matches (a bare ``deny()`` is the fallback for what asks;
        a targeted ``deny`` also stops calls that need no approval)."""
        return any(
            v is not None for v in (self.tool, self.server, self.kind, self.read_only, self.when)
        )

    def matches(self, request: ApprovalRequest) -> bool:
        if self.tool is not None and not self._names(request):
            return False
        if self.server is not None and (
            request.server_label is None or not _glob(self.server, request.server_label)
        ):
            return False  # a function tool has no server: a ``server`` rule never meets it
        if self.kind is not None:
            kinds = (self.kind,) if isinstance(self.kind, str) else tuple(self.kind)
            if request.kind not in kinds:
                return False
        # MCP tools only; one with no readOnlyHint may write (MCP's default), so it is never
        # taken for read-only, and a rule for tools that write meets it.
        if self.read_only is not None and (
            request.kind == "function" or (request.read_only is True) is not self.read_only
        ):
            return False
        if self.when is None:
            return True
        matched = self.when(request.arguments)
        if type(matched) is not bool:
            raise TypeError(
                f"the {self.action} rule's `when` returned {matched!r:.60}, not True or False"
            )
        return matched

    def _names(self, request: ApprovalRequest) -> bool:
        """Whether ``tool`` matches the tool: as offered to the model, or by its own name on
        its MCP server (renamed by a prefix or a clash). That name counts for a rule that
        holds a call back (a deny made for it must not slip by a rename), and for an allow
        only when the rule names the server: a name another server or a function tool is
        offered under is never approved by accident."""
        assert self.tool is not None
        if _glob(self.tool, request.tool_name):
            return True
        own = request.server_tool_name
        if own is None or (self.action == "allow" and self.server is None):
            return False
        return _glob(self.tool, own)

    def holds_back(self, server: str, tool: str | None = None) -> bool:
        """Whether this is a deny or ask rule meant for ``server``'s tools (``tool``: for
        that one): it names the server, or the tool by a glob, or hosted MCP calls by kind."""
        if self.action == "allow" or not self.targeted:
            return False
        if self.server is not None:
            return _glob(self.server, server)
        if self.tool is not None:
            return tool is not None and _glob(self.tool, tool)
        return self.kind is not None and "mcp_hosted" in _names(self.kind)

    def names_server(self, label: str) -> bool:
        """True if ``server`` names ``label`` itself (not through a wildcard)."""
        return label in _names(self.server)

    def names_tool(self, name: str) -> bool:
        """True if ``tool`` names ``name`` itself (not through a wildcard)."""
        return name in _names(self.tool)


def _check(rule: Rule) -> None:
    """A misspelt condition would match nothing, and a ``deny`` that matches nothing lets
    through what it was written to stop: said when the rule is made."""
    if rule.action not in get_args(RuleAction):
        raise ValueError(f"a rule's action is allow, deny or ask, not {rule.action!r}")
    kinds = (rule.kind,) if isinstance(rule.kind, str) else rule.kind or ()
    if wrong := [k for k in kinds if k not in get_args(ApprovalKind)]:
        known = ", ".join(map(repr, get_args(ApprovalKind)))
        raise ValueError(f"{rule.action}(kind=...): {wrong[0]!r} is not a kind of call ({known})")
    if rule.read_only is not None and type(rule.read_only) is not bool:
        raise TypeError(f"{rule.action}(read_only=...) takes True or False, not {rule.read_only!r}")
    if rule.when is not None and not callable(rule.when):
        raise TypeError(f"{rule.action}(when=...) takes a function of the arguments")
    if rule.when is not None and _is_async(rule.when):  # (its coroutine is no True or False)
        raise TypeError(
            f"{rule.action}(when=...) takes a plain function that returns True or False, not "
            "an async one (a check that must await goes in the policy's handler, or the "
            "tool's needs_approval)"
        )


def _is_async(fn: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object whose __call__ is async
    )


def _names(patterns: str | Sequence[str] | None) -> tuple[str, ...]:
    """The names among ``patterns`` (those with no wildcard character): a label spelt as a
    wildcard (a hostile server's ``"docs-*"``) is never named by that wildcard."""
    given = (patterns,) if isinstance(patterns, str) else tuple(patterns or ())
    return tuple(p for p in given if not _WILD.search(p))


_WILD = re.compile(r"[*?\[]")


def _glob(patterns: str | Sequence[str], value: str) -> bool:
    if isinstance(patterns, str):
        patterns = (patterns,)
    return any(fnmatchcase(value, pattern) for pattern in patterns)


class Match(TypedDict, total=False):
    """What ``allow``, ``deny`` and ``ask`` take: a ``Rule``'s fields but its action (typed,
    so that a checker catches ``tools=`` or ``read_only="yes"``)."""

    tool: str | Sequence[str] | None
    server: str | Sequence[str] | None
    kind: ApprovalKind | Sequence[ApprovalKind] | None
    read_only: bool | None
    when: Callable[[dict[str, Any]], bool] | None
    reason: str | None


def allow(**match: Unpack[Match]) -> Rule:
    """A rule that approves what it matches: ``allow(tool="get_*")``, ``allow(read_only=True)``."""
    return Rule("allow", **match)


def deny(**match: Unpack[Match]) -> Rule:
    """A rule that declines what it matches; ``reason`` is told to the model."""
    return Rule("deny", **match)


def ask(**match: Unpack[Match]) -> Rule:
    """A rule that sends what it matches to the handler (or to ``session.approve``)."""
    return Rule("ask", **match)

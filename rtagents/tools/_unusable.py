"""What no JSON value can pass as: a type whose schema looks fine but that every call would
fail (a class, a function, a set of what cannot be hashed, a lazy iterable, an Enum or a
Literal value JSON cannot carry), found when a tool is decorated, wherever it is in a
parameter's type (its models' fields too)."""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import enum
import types
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel

_SETS = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)


def unusable(annotation: Any, seen: frozenset[type] = frozenset()) -> str | None:
    """Why no JSON value can pass as ``annotation`` or a part of it, else ``None``. pydantic
    validates a class (``type[X]``) and a set of unhashable items (``set[SomeModel]``) all
    the same, and their schemas look fine, but every call would fail; a function has no
    JSON at all; an Enum's or a Literal's value that JSON has no such value for (a tuple,
    bytes) is offered in a form the check then refuses. The fields of a model, a dataclass
    or a TypedDict are looked into as well (``seen``: those on the way, for recursive ones)."""
    kind = typing.get_origin(annotation) or annotation
    if kind is type:
        return f"{show(annotation)} asks for a class, and a class cannot be sent as JSON"
    if kind is collections.abc.Callable:
        return "a function (Callable) cannot be sent as JSON"
    if kind is Literal:  # its arguments are values, not types
        return enum_members(annotation) or _not_json(annotation, typing.get_args(annotation))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _not_json(annotation, tuple(member.value for member in kind))
    if kind in _LAZY:
        return (
            f"{show(annotation)} is checked lazily, as it is read, and read once (by whoever "
            "reads the arguments first: an approval check, say); use list[...]"
        )
    args = typing.get_args(annotation)
    if kind in _SETS and args and _unhashable(args[0]):
        item = show(args[0])
        return f"a set of {item}: a {item} cannot be hashed, so no set holds one; use a list"
    if kind is Annotated:
        args = args[:1]  # the rest is metadata
    elif isinstance(kind, type) and not args:
        args = _fields_of(kind, seen)
        seen = seen | {kind}
    return next((why for arg in args if (why := unusable(arg, seen)) is not None), None)


_JSON_SCALARS = (str, int, float, bool, type(None))


def _not_json(annotation: Any, values: tuple[Any, ...]) -> str | None:
    """A value ``annotation`` allows whose JSON form the check would refuse."""
    odd = next((v for v in values if not isinstance(v, (*_JSON_SCALARS, enum.Enum))), None)
    if odd is None:
        return None
    return (
        f"{show(annotation)} allows {odd!r}, which JSON cannot carry as it is (the model "
        "would send another value, which the check refuses); use str, int, float, bool or None"
        " values"
    )


def _fields_of(cls: type, seen: frozenset[type]) -> tuple[Any, ...]:
    """The annotations of the fields of a model, a dataclass or a TypedDict (once each on
    the way: a recursive model's field is not looked into again)."""
    if cls in seen:
        return ()
    if issubclass(cls, BaseModel):
        return tuple(field.annotation for field in cls.model_fields.values())
    if dataclasses.is_dataclass(cls) or typing.is_typeddict(cls):
        # A dataclass's fields only: its ``ClassVar``s are never sent.
        fields = (
            {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else None
        )
        with contextlib.suppress(Exception):  # (what cannot be read, pydantic refuses)
            hints = typing.get_type_hints(cls, include_extras=True)
            return tuple(h for name, h in hints.items() if fields is None or name in fields)
    return ()


_LAZY = (
    collections.abc.Iterable,
    collections.abc.Iterator,
    collections.abc.Generator,
    collections.abc.AsyncIterable,
    collections.abc.AsyncIterator,
)


def enum_members(literal: Any) -> str | None:
    """An Enum member in ``Literal[...]``: its schema offers the member's value, which the
    validator then refuses (it wants the member itself)."""
    members = [v for v in typing.get_args(literal) if isinstance(v, enum.Enum)]
    if not members:
        return None
    kind = type(members[0]).__name__
    return (
        f"{show(literal)} holds Enum members, whose values the model would send and the "
        f"check refuse; use the Enum ({kind}), or Literal of the values themselves"
    )


def _unhashable(annotation: Any) -> bool:
    """Whether no value of ``annotation`` can be hashed (a model, a dataclass, a list...)."""
    kind = typing.get_origin(annotation) or annotation
    if kind is Annotated:
        return _unhashable(typing.get_args(annotation)[0])
    if kind in (typing.Union, types.UnionType):
        return all(map(_unhashable, typing.get_args(annotation)))
    return isinstance(kind, type) and kind.__hash__ is None


def show(annotation: Any) -> str:
    if typing.get_origin(annotation) is not None:  # list[int], not list
        return repr(annotation)
    return getattr(annotation, "__qualname__", None) or repr(annotation)

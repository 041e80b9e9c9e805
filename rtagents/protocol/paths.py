"""Error locations as wire paths: ``session.audio.output.speed``, ``session.tools[1].name``."""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Tag

from .client_events import CLIENT_EVENT_TYPES
from .server_events import SERVER_EVENT_TYPES

# Names pydantic gives the member of a union it tried: ``str``, ``constrained-int``,
# ``literal['auto']``, ``list[str]``, ``tagged-union[...]``, a class name.
_GENERATED = re.compile(r"^(str|int|float|bool|none|constrained-\w+|\w[\w-]*\[.*\]|[A-Z]\w*)$")
_UNKNOWN: Any = object()  # past what the models describe: steps are kept as they come


@functools.cache
def _events() -> dict[str, type[BaseModel]]:
    classes = CLIENT_EVENT_TYPES + SERVER_EVENT_TYPES
    return {cls.model_fields["type"].default: cls for cls in classes}


def _alternatives(annotation: Any) -> list[Any]:
    """The members of a union (``None`` aside), or the annotation alone."""
    while typing.get_origin(annotation) is Annotated and not _tag(annotation):
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members if len(members) > 1 else _alternatives(members[0])
    return [annotation]


def _tag(annotation: Any) -> str | None:
    if typing.get_origin(annotation) is Annotated:
        return next((m.tag for m in annotation.__metadata__ if isinstance(m, Tag)), None)
    return None


def _bare(annotation: Any) -> Any:
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _names(member: Any) -> set[str]:
    """What pydantic may call this member in a location."""
    tag, bare = _tag(member), _bare(member)
    if tag is not None:
        return {tag}
    origin = typing.get_origin(bare)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        kind = bare.model_fields.get("type")
        return {bare.__name__, *(_literals(kind.annotation) if kind else ())}
    if origin in (Union, types.UnionType):
        return {"tagged-union"}
    if origin is Literal or origin is None:
        return set()  # a leaf: nothing follows it
    return {getattr(origin, "__name__", "")}


def _literals(annotation: Any) -> list[str]:
    if typing.get_origin(annotation) is Literal:
        return [v for v in typing.get_args(annotation) if isinstance(v, str)]
    return [v for arg in typing.get_args(annotation) for v in _literals(arg)]


def _choose(members: list[Any], part: Any) -> Any:
    """The member of a union that pydantic's location step ``part`` names."""
    name = str(part).split("[", 1)[0]
    for member in members:
        if part in _names(member) or name in _names(member):
            return member
    return _UNKNOWN


def _steps(annotation: Any, loc: tuple[Any, ...]) -> list[Any]:
    """Follow ``loc`` through the models: steps that name a union's member are pydantic's,
    not the wire's, and are left out; the rest are field names and indexes."""
    out: list[Any] = []
    for part in loc:
        if annotation is _UNKNOWN:
            if isinstance(part, int) or not _GENERATED.match(str(part)):
                out.append(part)
            continue
        members = _alternatives(annotation)
        if len(members) > 1:
            annotation = _choose(members, part)
            continue
        bare = _bare(members[0])
        origin = typing.get_origin(bare)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            field = bare.model_fields.get(part) if isinstance(part, str) else None
            annotation = field.annotation if field is not None else _UNKNOWN
        elif origin in (list, tuple) and isinstance(part, int):
            annotation = typing.get_args(bare)[0]
        elif origin is dict:
            annotation = typing.get_args(bare)[1]
        else:
            annotation = _UNKNOWN
            if not isinstance(part, int) and _GENERATED.match(str(part)):
                continue
        out.append(part)
    return out


def wire_path(
    loc: tuple[Any, ...],
    root: str = "",
    *,
    event_union: bool = False,
    model: Any = _UNKNOWN,
    events: Mapping[str, type[BaseModel]] | None = None,
) -> str:
    """Join a pydantic error location into the path a client would write.

    ``model`` is what was validated; with ``event_union``, it is an event union and the
    first element of ``loc`` is the event's type, left out. ``events`` are that union's
    classes by type (the Realtime protocol's when not given).
    """
    if event_union and loc:
        model = (_events() if events is None else events).get(str(loc[0]), _UNKNOWN)
        loc = loc[1:]
    out = root
    for part in _steps(model, loc):
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def deepest_error(
    errors: list[Any],
    root: str = "",
    *,
    event_union: bool = False,
    model: Any = _UNKNOWN,
    events: Mapping[str, type[BaseModel]] | None = None,
) -> tuple[str, str]:
    """The most specific of pydantic's errors as ``(wire path, message)``.

    A value that fits no member of a union gets an error per member; the one that got
    furthest in names the field a person has to fix.
    """

    def path(err: Any) -> str:
        return wire_path(err["loc"], root, event_union=event_union, model=model, events=events)

    best = max(errors, key=lambda err: len(path(err)))
    return path(best), str(best["msg"])

"""Walk the installed openai SDK's models beside ours and list what ours lack.

Used by the Realtime and the Live field checks. A walk pairs an SDK model with ours and, for
each SDK field (by its name on the wire), checks that ours has it; where the SDK takes an open
string (``Union[str, Literal[...]]`` or ``str``), that ours takes any string too; and where both
sides are closed enums, that ours has every value. Nested models are followed on both sides,
union members paired by their ``type``/``role`` tags (a member whose tag takes several values
stands for each of them), or else by class name. The SDK's request ``TypedDict``s are walked
like its models. Each difference is a line ``SDKModel.field -> what``.
"""

from __future__ import annotations

import collections.abc
import itertools
import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel

Model = Any  # a pydantic model class, or (on the SDK's side) a TypedDict class


@dataclass
class Shape:
    """What an annotation admits: models, literal values, and whether any string goes."""

    models: list[Model] = field(default_factory=list)
    literals: set[Any] = field(default_factory=set)
    any_str: bool = False
    anything: bool = False


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and (
        issubclass(annotation, BaseModel) or typing.is_typeddict(annotation)
    )


_MAPPINGS = (dict, typing.Dict, collections.abc.Mapping)  # noqa: UP006


def shape(annotation: Any, out: Shape | None = None) -> Shape:
    """The models, literals and strings an annotation admits, through unions, lists, dicts'
    values and ``Annotated``/``Required`` wrappers."""
    out = Shape() if out is None else out
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is object:
        out.anything = True
    elif annotation is str:
        out.any_str = True
    elif _is_model(annotation):
        out.models.append(annotation)
    elif origin is Literal:
        out.literals.update(typing.get_args(annotation))
    elif origin is Annotated:
        shape(typing.get_args(annotation)[0], out)
    elif origin in _MAPPINGS:
        shape(typing.get_args(annotation)[1], out)
    elif origin in (Union, types.UnionType) or origin is not None:
        # Unions, lists, the SDK's ``Iterable``/``SequenceNotStr`` and ``Required[...]``.
        for arg in typing.get_args(annotation):
            shape(arg, out)
    return out


def fields(model: Model) -> dict[str, Any]:
    """A model's fields by their names on the wire (a field's alias, where it has one)."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        return {(info.alias or name): info.annotation for name, info in model.model_fields.items()}
    return typing.get_type_hints(model, include_extras=True)


def tags(model: Model) -> list[tuple[Any, ...]] | None:
    """Every combination of ``type`` and ``role`` values that routes a union member to it;
    ``None`` for a catch-all (an open ``type``, as our unknown items have)."""
    found: list[list[Any]] = []
    for name in ("type", "role"):
        annotation = fields(model).get(name)
        if annotation is not None:
            values = shape(annotation).literals - {None}
            if not values:
                return None
            found.append(sorted(values, key=repr))
    return list(itertools.product(*found))


def pair(sdk: list[Model], ours: list[Model]) -> tuple[list[tuple[Model, Model]], list[Model]]:
    """Each SDK model with its counterparts, and the SDK models that have none."""
    if len(sdk) == 1 and len(ours) == 1:
        return [(sdk[0], ours[0])], []
    by_tag = {tag: model for model in ours for tag in (tags(model) or ()) if tag}
    by_name = {model.__name__: model for model in ours}
    pairs, unmatched = [], []
    for model in sdk:
        matches: list[Model] = []
        for tag in tags(model) or ():
            match = by_tag.get(tag) if tag else None
            if match is None and len(tag) == 2:  # a message the SDK splits by role
                match = by_tag.get(tag[:1])
            if match is not None and match not in matches:
                matches.append(match)
        if not matches and model.__name__ in by_name:
            matches.append(by_name[model.__name__])
        if not matches:
            unmatched.append(model)
        pairs.extend((model, match) for match in matches)
    return pairs, unmatched


def walk(sdk: Model, ours: type[BaseModel], problems: list[str], seen: set[Any]) -> None:
    """Compare ``sdk`` with ``ours`` and everything below, appending a line per difference."""
    if (sdk, ours) in seen:
        return
    seen.add((sdk, ours))
    our_fields = fields(ours)
    for name, annotation in fields(sdk).items():
        where = f"{sdk.__name__}.{name}"
        if name not in our_fields:
            problems.append(f"{where} -> missing in {ours.__name__}")
            continue
        theirs, mine = shape(annotation), shape(our_fields[name])
        if mine.anything:
            continue
        if theirs.any_str and not mine.any_str:
            problems.append(f"{where} -> an open string in the SDK, closed in {ours.__name__}")
        if mine.literals or not mine.any_str:
            # Our known values: the whole enum where it is closed, the hints where it is open.
            for value in sorted(theirs.literals - mine.literals - {None}, key=repr):
                problems.append(f"{where} -> value {value!r} missing in {ours.__name__}")
        pairs, unmatched = pair(theirs.models, mine.models)
        for model in unmatched:
            problems.append(f"{where} -> {model.__name__} has no counterpart in {ours.__name__}")
        for sdk_model, our_model in pairs:
            walk(sdk_model, our_model, problems, seen)


def event_models(union: Any) -> list[type[BaseModel]]:
    """The models of one of the SDK's event unions (``Annotated[Union[...], ...]``)."""
    members = typing.get_args(union)
    if typing.get_origin(union) is Annotated:
        members = typing.get_args(members[0])
    return [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]


def event_type(model: type[BaseModel]) -> str:
    """The ``type`` an SDK event model is sent with."""
    return str(next(iter(shape(model.model_fields["type"].annotation).literals - {None})))


def walk_events(
    unions: list[tuple[Any, dict[str, type[BaseModel]]]], allowed: dict[str, str]
) -> tuple[list[str], set[Any]]:
    """Walk each SDK union's events against ours (by ``type``): every difference not in
    ``allowed`` (``"SDKModel.field": "why"``), and the (SDK, ours) pairs compared."""
    problems: list[str] = []
    seen: set[Any] = set()
    for union, ours in unions:
        for sdk_event in event_models(union):
            kind = event_type(sdk_event)
            if kind not in ours:
                problems.append(f"{sdk_event.__name__} -> event {kind!r} not modelled")
            else:
                walk(sdk_event, ours[kind], problems, seen)
    return without_allowed(problems, allowed), seen


def without_allowed(problems: list[str], allowed: dict[str, str]) -> list[str]:
    """The lines not about an ``allowed`` field, each once, in the order found."""
    kept = [line for line in problems if line.split(" ->")[0] not in allowed]
    return list(dict.fromkeys(kept))

"""Our models name every field and value of the installed openai SDK's realtime types.

The walk starts at the SDK's client and server event unions, pairs each event with ours by
its ``type``, and follows every nested model on both sides (pairing union members by their
``type``/``role`` tags). For each SDK field it checks that ours has it; where the SDK takes an
open string (``Union[str, Literal[...]]`` or ``str``), that ours takes any string too; and where
both sides are closed enums, that ours has every value. A newer SDK that adds something makes
this test fail with a list of ``SDKModel.field`` lines.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

import openai.types.realtime
from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent
from pydantic import BaseModel

from rtagents import protocol as p

# Deliberate differences, ``"SDKModel.field": "why"``. Keep this short.
ALLOWED: dict[str, str] = {}


@dataclass
class _Shape:
    """What an annotation admits: models, literal values, and whether any string goes."""

    models: list[type[BaseModel]] = field(default_factory=list)
    literals: set[Any] = field(default_factory=set)
    any_str: bool = False
    anything: bool = False


def _shape(annotation: Any, out: _Shape | None = None) -> _Shape:
    out = _Shape() if out is None else out
    origin = typing.get_origin(annotation)
    if annotation is Any or annotation is object:
        out.anything = True
    elif annotation is str:
        out.any_str = True
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        out.models.append(annotation)
    elif origin is Literal:
        out.literals.update(typing.get_args(annotation))
    elif origin is Annotated:
        _shape(typing.get_args(annotation)[0], out)
    elif origin in (Union, types.UnionType, list, typing.List):  # noqa: UP006
        for arg in typing.get_args(annotation):
            _shape(arg, out)
    elif origin in (dict, typing.Dict):  # noqa: UP006
        _shape(typing.get_args(annotation)[1], out)
    return out


def _tags(model: type[BaseModel]) -> tuple[Any, ...] | None:
    """The ``type`` and ``role`` literals that route a union member, if it has them."""
    found = []
    for name in ("type", "role"):
        info = model.model_fields.get(name)
        if info is not None:
            values = _shape(info.annotation).literals - {None}
            if len(values) != 1:
                return None  # an open ``type`` (our UnknownItem): a catch-all, not a match
            found.append(next(iter(values)))
    return tuple(found)


def _pair(
    sdk: list[type[BaseModel]], ours: list[type[BaseModel]]
) -> tuple[list[tuple[type[BaseModel], type[BaseModel]]], list[type[BaseModel]]]:
    """Each SDK model with its counterpart, and the SDK models that have none."""
    if len(sdk) == 1 and len(ours) == 1:
        return [(sdk[0], ours[0])], []
    by_tag = {tag: model for model in ours if (tag := _tags(model))}
    pairs, unmatched = [], []
    for model in sdk:
        tag = _tags(model)
        match = by_tag.get(tag) if tag else None
        if match is None and tag and len(tag) == 2:  # a message the SDK splits by role
            match = by_tag.get(tag[:1])
        if match is None:
            unmatched.append(model)
        else:
            pairs.append((model, match))
    return pairs, unmatched


def _walk(sdk: type[BaseModel], ours: type[BaseModel], problems: list[str], seen: set[Any]) -> None:
    if (sdk, ours) in seen:
        return
    seen.add((sdk, ours))
    for name, sdk_field in sdk.model_fields.items():
        where = f"{sdk.__name__}.{name}"
        ours_field = ours.model_fields.get(name)
        if ours_field is None:
            problems.append(f"{where} -> missing in {ours.__name__}")
            continue
        theirs, mine = _shape(sdk_field.annotation), _shape(ours_field.annotation)
        if mine.anything:
            continue
        if theirs.any_str and not mine.any_str:
            problems.append(f"{where} -> an open string in the SDK, closed in {ours.__name__}")
        if mine.literals or not mine.any_str:
            # Our known values: the whole enum where it is closed, the hints where it is open.
            for value in sorted(theirs.literals - mine.literals - {None}, key=repr):
                problems.append(f"{where} -> value {value!r} missing in {ours.__name__}")
        pairs, unmatched = _pair(theirs.models, mine.models)
        for model in unmatched:
            problems.append(f"{where} -> {model.__name__} has no counterpart in {ours.__name__}")
        for sdk_model, our_model in pairs:
            _walk(sdk_model, our_model, problems, seen)


def _event_models(union: Any) -> list[type[BaseModel]]:
    return [m for m in typing.get_args(typing.get_args(union)[0]) if issubclass(m, BaseModel)]


def _walk_events() -> tuple[list[str], set[Any]]:
    """Every difference found, and the (SDK, ours) pairs of models compared."""
    problems: list[str] = []
    seen: set[Any] = set()
    for union, ours in (
        (RealtimeClientEvent, p.CLIENT_EVENTS),
        (RealtimeServerEvent, p.SERVER_EVENTS),
    ):
        for sdk_event in _event_models(union):
            kind = next(iter(_shape(sdk_event.model_fields["type"].annotation).literals))
            if kind not in ours:
                problems.append(f"{sdk_event.__name__} -> event {kind!r} not modelled")
            else:
                _walk(sdk_event, ours[kind], problems, seen)
    return [line for line in problems if line.split(" ->")[0] not in ALLOWED], seen


def test_every_sdk_field_and_value_is_modelled() -> None:
    problems, _ = _walk_events()
    assert not problems, f"{len(problems)} differences from the openai SDK:\n" + "\n".join(problems)


# SDK models that no event carries, so the walk does not reach them, and why that is right.
NOT_ON_THE_WIRE = {
    # REST responses of POST /realtime/client_secrets (the calls layer's business).
    "client_secret_create_response",
    "realtime_session_create_response",
    "realtime_transcription_session_create_response",
    "realtime_transcription_session_turn_detection",
    # Only in the TypedDict of response.create's input; ours keeps it as an UnknownItem.
    "response_item_reference",
}


def test_the_walk_reaches_every_sdk_realtime_model() -> None:
    # A model the SDK adds that no walked event leads to would go unchecked: name it here.
    walked = {sdk.__module__ for sdk, _ in _walk_events()[1]}
    package = openai.types.realtime
    unreached = []
    for info in pkgutil.iter_modules(package.__path__):
        name = info.name
        if name.endswith("_param") or name.startswith(("realtime_translation", "translations")):
            continue  # request TypedDicts; the translation API is another protocol
        module = importlib.import_module(f"{package.__name__}.{name}")
        models = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, BaseModel)
            and obj.__module__ == module.__name__
        ]
        if models and module.__name__ not in walked and name not in NOT_ON_THE_WIRE:
            unreached.append(name)
    assert not unreached, f"SDK realtime models the walk does not reach: {unreached}"


def test_the_walk_names_what_is_missing_below_the_event() -> None:
    # The check itself can fail: a missing field, an open string made closed and a missing
    # value of a closed enum are each reported at the SDK model that has them.
    class Transcription(p.WireModel):
        model: Literal["whisper-1"] | None = None

    class Input(p.WireModel):
        transcription: Transcription | None = None

    class Audio(p.WireModel):
        input: Input | None = None

    class Config(p.WireModel):
        type: Literal["realtime"] = "realtime"
        audio: Audio | None = None
        output_modalities: list[Literal["audio"]] | None = None

    class Updated(p.SessionUpdated):
        session: Config  # type: ignore[assignment]

    sdk_event = next(
        m
        for m in _event_models(RealtimeServerEvent)
        if _shape(m.model_fields["type"].annotation).literals == {"session.updated"}
    )
    problems: list[str] = []
    _walk(sdk_event, Updated, problems, set())
    assert {
        "RealtimeSessionCreateRequest.instructions -> missing in Config",
        "RealtimeSessionCreateRequest.output_modalities -> value 'text' missing in Config",
        "AudioTranscription.model -> an open string in the SDK, closed in Transcription",
        "AudioTranscription.language -> missing in Transcription",
    } <= set(problems)

"""Our models name every field and value of the installed openai SDK's realtime types.

The walk (``sdk_walk``) starts at the SDK's client and server event unions, pairs each event
with ours by its ``type``, and follows every nested model on both sides (pairing union members
by their ``type``/``role`` tags). For each SDK field it checks that ours has it; where the SDK takes an
open string (``Union[str, Literal[...]]`` or ``str``), that ours takes any string too; and where
both sides are closed enums, that ours has every value. A newer SDK that adds something makes
this test fail with a list of ``SDKModel.field`` lines.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Literal

import openai.types.realtime
from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent
from pydantic import BaseModel

from rtagents import protocol as p

from .sdk_walk import event_models, shape, walk, walk_events

# Deliberate differences, ``"SDKModel.field": "why"``. Keep this short.
ALLOWED: dict[str, str] = {}


def _walk_events() -> tuple[list[str], set[Any]]:
    """Every difference found, and the (SDK, ours) pairs of models compared."""
    return walk_events(
        [(RealtimeClientEvent, p.CLIENT_EVENTS), (RealtimeServerEvent, p.SERVER_EVENTS)], ALLOWED
    )


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
        for m in event_models(RealtimeServerEvent)
        if shape(m.model_fields["type"].annotation).literals == {"session.updated"}
    )
    problems: list[str] = []
    walk(sdk_event, Updated, problems, set())
    assert {
        "RealtimeSessionCreateRequest.instructions -> missing in Config",
        "RealtimeSessionCreateRequest.output_modalities -> value 'text' missing in Config",
        "AudioTranscription.model -> an open string in the SDK, closed in Transcription",
        "AudioTranscription.language -> missing in Transcription",
    } <= set(problems)

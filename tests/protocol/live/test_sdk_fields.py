"""Our GPT-Live models name every field and value of the installed openai SDK's Live types.

The same walk as the Realtime check (``tests/protocol/sdk_walk.py``), from the SDK's six Live
event unions (a primary WebSocket's, a sideband's and a fork's, client and server), its
``live.*`` webhook events, the REST bodies of ``/v1/live/sessions`` and, inside
``response.event``, the Responses streaming events the framework types. A newer SDK that adds
something makes these tests fail with a list of ``SDKModel.field`` lines.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Literal

import openai.types.live
from openai.types.live import (
    ClientEvent,
    ConnectClientEvent,
    ConnectServerEvent,
    ForkClientEvent,
    ForkServerEvent,
    LiveCreateParams,
    LiveCreateResponse,
    ServerEvent,
    SessionAcceptParams,
    SessionForkParams,
    SessionForkResponse,
    SessionReferParams,
    SessionRejectParams,
)
from openai.types.responses import ResponseStreamEvent
from openai.types.webhooks import (
    LiveCallIncomingWebhookEvent,
    LiveTransportConnectedWebhookEvent,
    LiveTransportIncomingWebhookEvent,
)
from pydantic import BaseModel

from rtagents.protocol import live

from ..sdk_walk import event_models, event_type, walk, walk_events, without_allowed

# Deliberate differences, ``"SDKModel.field": "why"``. Keep this short.
ALLOWED: dict[str, str] = {
    # The Responses API's item universe (33 input kinds, 28 output kinds): typed where the
    # framework acts (messages, function and custom tool calls and outputs, hosted MCP calls
    # and approvals); every other kind decodes as ``UnknownItem`` with its fields kept.
    "ResponseItemCreateEvent.item": "only the items the framework sends are typed",
    "ResponseOutputItemAddedEvent.item": "only the items the framework reads are typed",
    "ResponseOutputItemDoneEvent.item": "only the items the framework reads are typed",
    "Response.output": "only the items the framework reads are typed",
}

# SDK models whose fields we type only in part; the rest stay in ``model_extra``.
PARTIAL = {
    # A Responses snapshot: the Live server clears its instructions, tools and output, and
    # the framework reads only its id, status, error, usage and output.
    "Response",
}

EVENT_UNIONS: list[tuple[Any, dict[str, type[BaseModel]]]] = [
    (ClientEvent, live.CLIENT_EVENTS),
    (ConnectClientEvent, live.CLIENT_EVENTS),
    (ForkClientEvent, live.CLIENT_EVENTS),
    (ServerEvent, live.SERVER_EVENTS),
    (ConnectServerEvent, live.SERVER_EVENTS),
    (ForkServerEvent, live.SERVER_EVENTS),
]


def _walk_all() -> tuple[list[str], set[Any]]:
    problems, seen = walk_events(EVENT_UNIONS, ALLOWED)
    webhooks: dict[str, type[BaseModel]] = {
        cls.model_fields["type"].default: cls for cls in live.WEBHOOK_EVENT_TYPES
    }
    bodies: list[tuple[Any, type[BaseModel]]] = [
        (LiveCreateParams, live.LiveCreateRequest),
        (LiveCreateResponse, live.LiveCreateResult),
        (SessionAcceptParams, live.AcceptRequest),
        (SessionForkParams, live.ForkRequest),
        (SessionForkResponse, live.LiveCreateResult),
        (SessionReferParams, live.ReferRequest),
        (SessionRejectParams, live.RejectRequest),
    ]
    for sdk in (
        LiveCallIncomingWebhookEvent,
        LiveTransportConnectedWebhookEvent,
        LiveTransportIncomingWebhookEvent,
    ):
        bodies.append((sdk, webhooks[event_type(sdk)]))
    for sdk_event in event_models(ResponseStreamEvent):
        if event_type(sdk_event) in live.RESPONSES_EVENTS:
            bodies.append((sdk_event, live.RESPONSES_EVENTS[event_type(sdk_event)]))
    found: list[str] = []
    for sdk, ours in bodies:
        walk(sdk, ours, found, seen)
    partial = [
        line
        for line in found
        if not (line.split(".")[0] in PARTIAL and line.endswith(f"missing in {line.split()[-1]}"))
    ]
    return problems + without_allowed(partial, ALLOWED), seen


def test_every_sdk_live_field_and_value_is_modelled() -> None:
    problems, _ = _walk_all()
    assert not problems, f"{len(problems)} differences from the openai SDK:\n" + "\n".join(problems)


def test_every_sdk_live_event_type_is_modelled_and_no_other() -> None:
    client = {event_type(m) for u, _ in EVENT_UNIONS[:3] for m in event_models(u)}
    server = {event_type(m) for u, _ in EVENT_UNIONS[3:] for m in event_models(u)}
    assert set(live.CLIENT_EVENTS) == client
    assert set(live.SERVER_EVENTS) == server


# SDK Live models that no walk reaches, and why that is right.
NOT_WALKED: dict[str, str] = {}


def test_the_walk_reaches_every_sdk_live_model() -> None:
    # A model the SDK adds that no walk leads to would go unchecked: name it here.
    walked = {sdk.__module__ for sdk, _ in _walk_all()[1]}
    package = openai.types.live
    unreached = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        models = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, BaseModel)
            and obj.__module__ == module.__name__
        ]
        if models and module.__name__ not in walked and info.name not in NOT_WALKED:
            unreached.append(info.name)
    assert not unreached, f"SDK Live models the walk does not reach: {unreached}"


def test_the_walk_names_what_is_missing_below_the_event() -> None:
    # The check itself can fail: a missing field, an open string made closed, a missing value
    # and a union member without a counterpart are each reported at the SDK model that has
    # them, levels below the event.
    class Output(live.WireModel):
        voice: Literal["marin"] | None = None

    class Audio(live.WireModel):
        output: Output | None = None

    class Config(live.WireModel):
        model: str
        audio: Audio | None = None

    class Start(live.SessionStart):
        session: Config  # type: ignore[assignment]

    sdk_event = next(m for m in event_models(ClientEvent) if event_type(m) == "session.start")
    problems: list[str] = []
    walk(sdk_event, Start, problems, set())
    assert {
        "SessionConfig.store -> missing in Config",
        "Audio.format -> missing in Audio",
        "AudioOutput.voice -> an open string in the SDK, closed in Output",
        "AudioOutput.voice -> value 'cedar' missing in Output",
        "AudioOutput.voice -> CustomVoice has no counterpart in Output",
    } <= set(problems)

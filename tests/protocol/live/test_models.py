"""Every GPT-Live event decodes, round-trips, and agrees with the openai SDK both ways: what
we encode the SDK's models accept, and what the SDK's models send we decode to the right
class."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types import live as oa
from openai.types.webhooks import UnwrapWebhookEvent
from pydantic import TypeAdapter, ValidationError

from rtagents.protocol import live

from .frames import CLIENT_FRAMES, EXTRA_CLIENT_FRAMES, SERVER_FRAMES, WEBHOOKS

# A primary WebSocket's, a sideband's and a fork's unions: each event is in at least one.
OA_CLIENT = [TypeAdapter(u) for u in (oa.ClientEvent, oa.ConnectClientEvent, oa.ForkClientEvent)]
OA_SERVER = [TypeAdapter(u) for u in (oa.ServerEvent, oa.ConnectServerEvent, oa.ForkServerEvent)]


def _sdk(adapters: list[TypeAdapter[Any]], frame: dict[str, Any]) -> Any:
    """The SDK's model of ``frame``, from the first of its unions that accepts it."""
    errors = []
    for adapter in adapters:
        try:
            return adapter.validate_python(frame)
        except ValidationError as exc:
            errors.append(exc)
    raise AssertionError(f"the SDK rejects {frame['type']}: {errors[0]}")


def _sent_by_sdk(model: Any) -> dict[str, Any]:
    """The frame the SDK's connection sends for one of its models."""
    return json.loads(model.to_json(use_api_names=True, exclude_unset=True))


ALL_CLIENT = [*CLIENT_FRAMES.values(), *EXTRA_CLIENT_FRAMES]


def test_every_frame_kind_is_covered() -> None:
    assert set(CLIENT_FRAMES) == set(live.CLIENT_EVENTS)
    assert set(SERVER_FRAMES) == set(live.SERVER_EVENTS)


@pytest.mark.parametrize("frame", ALL_CLIENT, ids=lambda f: str(f["type"]))
def test_client_event_encodes_to_a_frame_the_sdk_accepts(frame: dict[str, Any]) -> None:
    event = live.parse_live_client_event(frame)
    assert type(event) is live.CLIENT_EVENTS[frame["type"]]
    text = live.encode_live_client_event(event)
    assert json.loads(text) == frame
    _sdk(OA_CLIENT, json.loads(text))
    assert live.encode_live_client_event(frame) == text  # a dict is validated and encoded alike
    assert live.parse_live_client_event(text) == event  # and JSON text parses alike


@pytest.mark.parametrize("frame", ALL_CLIENT, ids=lambda f: str(f["type"]))
def test_what_the_sdk_sends_parses_to_our_class(frame: dict[str, Any]) -> None:
    sent = _sent_by_sdk(_sdk(OA_CLIENT, frame))
    event = live.parse_live_client_event(sent)
    assert type(event) is live.CLIENT_EVENTS[frame["type"]]
    assert json.loads(live.encode_live_client_event(event)) == sent


@pytest.mark.parametrize("kind", sorted(SERVER_FRAMES))
def test_server_event_decodes_round_trips_and_matches_the_sdk(kind: str) -> None:
    frame = SERVER_FRAMES[kind]
    text = json.dumps(frame)
    event = live.decode_live_server_event(text)
    assert type(event) is live.SERVER_EVENTS[kind]
    assert json.loads(live.encode_live_server_event(event)) == frame
    assert live.decode_live_server_event(text.encode()) == event  # bytes frames too
    _sdk(OA_SERVER, json.loads(live.encode_live_server_event(event)))


@pytest.mark.parametrize("kind", sorted(SERVER_FRAMES))
def test_what_an_sdk_model_serializes_decodes_to_our_class(kind: str) -> None:
    sent = _sent_by_sdk(_sdk(OA_SERVER, SERVER_FRAMES[kind]))
    decoded = live.decode_live_server_frame(json.dumps(sent))
    assert decoded.dropped == ()
    assert type(decoded.event) is live.SERVER_EVENTS[kind]


def test_events_built_with_the_sdk_decode_with_ours() -> None:
    start = oa.SessionStartEvent(
        type="session.start",
        session=oa.SessionConfig(
            model="gpt-live-1",
            audio=oa.session_config.Audio(
                format=oa.audio_format.AudioPCM(type="audio/pcm", rate=24000),
                output=oa.session_config.AudioOutput(voice="cedar"),
            ),
            delegation=oa.session_config.DelegationResponses(
                type="responses",
                responses=oa.ResponsesDelegationConfig(
                    model="gpt-5.5",
                    tools=[oa.FunctionTool(type="function", name="lookup", parameters={})],
                ),
            ),
        ),
    )
    event = live.parse_live_client_event(_sent_by_sdk(start))
    assert isinstance(event, live.SessionStart)
    assert isinstance(event.session, live.SessionConfig)
    assert isinstance(event.session.audio.format, live.AudioPCM)
    assert isinstance(event.session.delegation, live.ResponsesDelegation)
    [tool] = event.session.delegation.responses.tools
    assert isinstance(tool, live.FunctionTool) and tool.name == "lookup"

    delegated = oa.DelegationCreatedEvent(
        type="session.delegation.created",
        event_id="e1",
        offset_ms=10,
        delegation=oa.delegation_created_event.Delegation(
            type="delegation", id="del_1", target="client"
        ),
    )
    created = live.decode_live_server_event(delegated.to_json(exclude_unset=True))
    assert isinstance(created, live.DelegationCreated)
    assert (created.delegation.id, created.delegation.target, created.offset_ms) == (
        "del_1",
        "client",
        10,
    )


def test_building_events_with_ours_sends_tags_and_required_nulls() -> None:
    event = live.InstructionsAppend(content="Be brief.", delegation_id=None)
    # ``delegation_id`` is required and nullable: null (the session in general) is sent.
    assert json.loads(live.encode_live_client_event(event)) == {
        "type": "session.instructions.append",
        "content": "Be brief.",
        "delegation_id": None,
    }
    with pytest.raises(ValidationError, match="delegation_id"):
        live.ThinkingAppend(content="x")  # type: ignore[call-arg]
    start = live.SessionStart(
        session=live.SessionConfig(
            model="gpt-live-1",
            audio=live.AudioConfig(format=live.AudioPCM(rate=24000)),
            delegation=live.ResponsesDelegation(
                responses=live.ResponsesConfig(
                    model="gpt-5.5",
                    tools=[
                        live.FunctionTool(name="lookup"),
                        live.McpTool(server_label="docs", server_url="https://x"),
                        live.HostedTool(type="web_search"),
                    ],
                )
            ),
        )
    )
    frame = json.loads(live.encode_live_client_event(start))
    assert frame == {
        "type": "session.start",
        "session": {
            "model": "gpt-live-1",
            "audio": {"format": {"type": "audio/pcm", "rate": 24000}},
            "delegation": {
                "type": "responses",
                "responses": {
                    "model": "gpt-5.5",
                    "tools": [
                        {"type": "function", "name": "lookup"},
                        {"type": "mcp", "server_label": "docs", "server_url": "https://x"},
                        {"type": "web_search"},
                    ],
                },
            },
        },
    }
    _sdk(OA_CLIENT, frame)
    output = live.ResponseItemCreate(
        item=live.FunctionCallOutput(call_id="call_1", output='{"ok": true}')
    )
    assert json.loads(live.encode_live_client_event(output)) == {
        "type": "response.item.create",
        "item": {"type": "function_call_output", "call_id": "call_1", "output": '{"ok": true}'},
    }
    approval = live.ResponseItemCreate(
        item=live.McpApprovalResponse(approval_request_id="mcpr_1", approve=False, reason="no")
    )
    _sdk(OA_CLIENT, json.loads(live.encode_live_client_event(approval)))


def test_a_fork_start_and_a_new_session_start_are_told_apart() -> None:
    fork = live.parse_live_client_event({"type": "session.start", "session": {"store": True}})
    assert isinstance(fork.session, live.ForkSessionConfig)
    new = live.parse_live_client_event(
        {"type": "session.start", "session": {"model": "gpt-live-1", "store": True}}
    )
    assert type(new.session) is live.SessionConfig


def test_untagged_items_decode_and_are_sent_tagged() -> None:
    # The SDK makes a message's ``type`` (and an initial text's) optional; ours sends it.
    frame = {"type": "decision.item.create", "item": {"role": "system", "content": "Be kind."}}
    event = live.parse_live_client_event(frame)
    assert isinstance(event.item, live.Message) and event.item.role == "system"
    sent = json.loads(live.encode_live_client_event(event))
    assert sent["item"] == {"type": "message", "role": "system", "content": "Be kind."}
    start = {
        "type": "session.start",
        "session": {
            "model": "gpt-live-1",
            "input": [{"role": "user", "content": [{"text": "Hi"}]}],
        },
    }
    event = live.parse_live_client_event(start)
    assert isinstance(event.session.input[0], live.InitialUserMessage)
    sent = json.loads(live.encode_live_client_event(event))
    assert sent["session"]["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}
    ]
    _sdk(OA_CLIENT, sent)


def test_the_function_call_async_flag_keeps_its_wire_name() -> None:
    item = {
        **json.loads(json.dumps(SERVER_FRAMES["response.event"]["event"]["item"])),
        "async": True,
    }
    frame = {"type": "response.item.create", "item": item}
    event = live.parse_live_client_event(frame)
    assert isinstance(event.item, live.FunctionCall) and event.item.async_ is True
    assert json.loads(live.encode_live_client_event(event)) == frame


def test_open_strings_stay_open() -> None:
    frame = json.loads(json.dumps(SERVER_FRAMES["session.started"]))
    frame["session"].update(model="gpt-live-9", status="draining")
    frame["session"]["audio"]["output"]["voice"] = "nova-2"
    event = live.decode_live_server_event(json.dumps(frame))
    assert (event.session.model, event.session.status) == ("gpt-live-9", "draining")
    assert event.session.audio.output.voice == "nova-2"
    closed = {**SERVER_FRAMES["session.closed"], "reason": "migrated"}
    assert live.decode_live_server_event(json.dumps(closed)).reason == "migrated"


def test_secrets_are_not_in_reprs() -> None:
    tool = live.McpTool(server_label="x", authorization="sk-secret", headers={"X-Key": "hush"})
    assert "sk-secret" not in repr(tool) and "hush" not in repr(tool)


@pytest.mark.parametrize("frame", WEBHOOKS, ids=lambda f: str(f["type"]))
def test_live_webhooks_decode_and_match_the_sdk(frame: dict[str, Any]) -> None:
    event = live.decode_live_webhook(json.dumps(frame))
    assert event is not None and event.type == frame["type"]
    assert json.loads(event.model_dump_json(exclude_unset=True)) == frame
    TypeAdapter(UnwrapWebhookEvent).validate_python(frame)


def test_other_webhooks_are_not_live_ones() -> None:
    assert live.decode_live_webhook('{"type": "realtime.call.incoming", "data": {}}') is None
    with pytest.raises(live.ProtocolError):
        live.decode_live_webhook('{"type": "live.transport.incoming", "data": {}}')


def test_rest_bodies_match_the_sdk() -> None:
    create = live.LiveCreateRequest(
        session=live.WebRtcSessionConfig(
            model="gpt-live-1",
            idle_timeout_s=30,
            wake_policy=live.WakePolicy(vad_threshold=0.6),
        ),
        transport=live.WebRtcTransport(sdp="v=0..."),
    )
    assert json.loads(create.model_dump_json(exclude_unset=True)) == {
        "session": {
            "model": "gpt-live-1",
            "idle_timeout_s": 30,
            "wake_policy": {"type": "speech", "vad_threshold": 0.6},
        },
        "transport": {"type": "webrtc", "sdp": "v=0..."},
    }
    accept = live.AcceptRequest(session=live.SipSessionConfig(model="gpt-live-1"))
    assert json.loads(accept.model_dump_json(exclude_unset=True)) == {
        "session": {"type": "live", "model": "gpt-live-1"}
    }
    result = live.LiveCreateResult.model_validate(
        oa.LiveCreateResponse(
            session=oa.live_create_response.Session(id="live_1"),
            transport=oa.live_create_response.Transport(type="webrtc", sdp="v=0 answer"),
        ).model_dump()
    )
    assert (result.session.id, result.transport.sdp) == ("live_1", "v=0 answer")
    with pytest.raises(ValidationError):
        live.RejectRequest(status_code=200)
    assert live.session_path("live_1", "accept") == "/v1/live/sessions/live_1/accept"
    assert live.session_path("a/b") == "/v1/live/sessions/a%2Fb"

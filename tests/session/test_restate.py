"""What a later configuration says again, sans I/O (``session/restate.py``): both APIs'
``session.update`` is sparse, so an update after the connection's first puts back the
server's default of each setting the server reports changed and the new agent leaves out.
Never what the session keeps whatever the agent (tools, tracing, the formats, the voice),
never on a connection's first configuration (the server starts from its defaults), and never
a setting the new agent sets itself."""

from __future__ import annotations

import json
from typing import Any

import rtagents
from rtagents.session.realtime import RealtimeCore
from rtagents.session.restate import LIVE_DEFAULTS, LIVE_PLACES, changed, restate

from .frames import ev

DEFAULTS: dict[str, Any] = {
    "type": "realtime",
    "id": "sess_1",
    "instructions": "You are a helpful assistant.",
    "tool_choice": "auto",
    "output_modalities": ["audio"],
    "tools": [],
    "audio": {
        "input": {"format": {"type": "audio/pcm"}, "turn_detection": {"type": "server_vad"}},
        "output": {"format": {"type": "audio/pcm"}, "voice": "marin", "speed": 1.0},
    },
}
TRIAGE = rtagents.Agent(
    name="triage",
    instructions="You triage.",
    tool_choice="required",
    turn_detection=None,
    speed=1.5,
    voice="cedar",
    input_audio_format="pcmu",
)
BILLING = rtagents.Agent(name="billing")


def core_after(agent: rtagents.Agent) -> RealtimeCore:
    """A core whose connection took ``agent``'s configuration."""
    core = RealtimeCore(lambda name: None)
    core.receive(ev("session.created", session=DEFAULTS))
    _, actions = core.configure(agent, tools=[], tracing=None)
    sent = json.loads(actions[0].event.model_dump_json(exclude_unset=True))["session"]
    reported = json.loads(json.dumps(DEFAULTS))
    for key, value in sent.items():
        if key == "audio":
            for side, settings in value.items():
                reported["audio"][side].update(settings)
        else:
            reported[key] = value
    core.receive(ev("session.updated", session=reported))
    return core


def sent_config(core: RealtimeCore, agent: rtagents.Agent) -> dict[str, Any]:
    _, actions = core.configure(agent, tools=[], tracing=None)
    session: dict[str, Any] = json.loads(actions[0].event.model_dump_json(exclude_unset=True))
    return session["session"]


def test_a_switch_puts_back_the_defaults_of_what_the_new_agent_leaves_out() -> None:
    sent = sent_config(core_after(TRIAGE), BILLING)
    assert sent["instructions"] == "You are a helpful assistant."
    assert sent["tool_choice"] == "auto"
    assert sent["audio"]["input"]["turn_detection"] == {"type": "server_vad"}
    assert sent["audio"]["output"]["speed"] == 1.0


def test_what_the_session_keeps_is_never_restated() -> None:
    sent = sent_config(core_after(TRIAGE), BILLING)
    assert "voice" not in sent.get("audio", {}).get("output", {})
    assert "format" not in sent.get("audio", {}).get("input", {})
    assert "id" not in sent and "type" in sent  # (the config's own type, always sent)


def test_what_the_new_agent_sets_is_its_own() -> None:
    other = rtagents.Agent(name="other", instructions="You bill.", tool_choice="none")
    sent = sent_config(core_after(TRIAGE), other)
    assert (sent["instructions"], sent["tool_choice"]) == ("You bill.", "none")


def test_a_connection_s_first_configuration_restates_nothing() -> None:
    core = core_after(TRIAGE)
    core.disconnected()
    core.receive(ev("session.created", session=DEFAULTS))  # the next connection
    sent = sent_config(core, BILLING)
    assert "instructions" not in sent and "tool_choice" not in sent


def test_a_setting_at_its_default_already_is_not_sent() -> None:
    sent = sent_config(core_after(BILLING), BILLING)
    assert "instructions" not in sent and "audio" not in sent


def test_gpt_live_s_backend_settings_are_restated_alike() -> None:
    fields: dict[str, Any] = {"delegation": {"type": "responses", "responses": {"tools": []}}}
    reported = {"delegation": {"responses": {"instructions": "You triage.", "tool_choice": "auto"}}}
    placed = restate(fields, changed(reported, LIVE_DEFAULTS, LIVE_PLACES), LIVE_DEFAULTS)
    assert placed == [("delegation", "responses", "instructions")]
    assert fields["delegation"]["responses"]["instructions"] == ""

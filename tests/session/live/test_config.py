"""An ``Agent`` as a GPT-Live session config: what ``session.start`` and ``session.update``
carry, checked against the openai SDK's own Live client events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.live import ClientEvent
from pydantic import TypeAdapter

import rtagents
from rtagents import protocol as p
from rtagents.agent import LiveOptions
from rtagents.protocol import live as lp
from rtagents.session import live_config
from rtagents.session.actions import ToolTraits
from rtagents.session.live import LiveCore

SDK = TypeAdapter[Any](ClientEvent)


@rtagents.tool
def lookup(order: int) -> str:
    """Look an order up."""
    return str(order)


DOCS = rtagents.HostedMCP(
    "docs",
    server_url="https://example.com/mcp",
    headers={"X-Key": "k"},
    require_approval={"never": {"tool_names": ["search"]}},
)


def start(
    agent: rtagents.Agent, tools: list[p.FunctionToolDefinition] | None = None
) -> dict[str, Any]:
    """The ``session.start`` frame the agent becomes (the SDK accepts it)."""
    defs = [t.definition() for t in agent.sources.functions] if tools is None else tools
    config, _ = live_config.start_config(agent, defs)
    frame = json.loads(lp.encode_live_client_event(lp.SessionStart(session=config)))
    SDK.validate_python(frame)
    session: dict[str, Any] = frame["session"]
    return session


def test_tools_go_to_the_backend_and_instructions_to_both_models() -> None:
    agent = rtagents.Agent(instructions="Help with orders.", tools=[lookup, DOCS])
    session = start(agent)
    assert session["model"] == "gpt-live-1"
    assert session["instructions"] == "Help with orders."
    delegation = session["delegation"]
    assert delegation["type"] == "responses"
    backend = delegation["responses"]
    assert backend["model"] == "gpt-5.5"
    assert backend["instructions"] == "Help with orders."
    function, mcp = backend["tools"]
    assert function["type"] == "function" and function["name"] == "lookup"
    assert function["description"] == "Look an order up."
    assert function["parameters"]["properties"] == {"order": {"type": "integer"}}
    assert mcp == {
        "type": "mcp",
        "server_label": "docs",
        "server_url": "https://example.com/mcp",
        "headers": {"X-Key": "k"},
        "require_approval": {"never": {"tool_names": ["search"]}},
    }


def test_local_mcp_tools_come_as_the_function_tools_the_session_gives() -> None:
    listed = p.FunctionToolDefinition(
        name="notes_lookup", description="d", parameters={"type": "object"}
    )
    session = start(rtagents.Agent(live=LiveOptions(delegation="responses")), [listed])
    assert session["delegation"]["responses"]["tools"] == [
        {
            "type": "function",
            "name": "notes_lookup",
            "description": "d",
            "parameters": {"type": "object"},
        }
    ]


def test_the_live_options() -> None:
    agent = rtagents.Agent(
        instructions="Talk like a concierge.",
        tools=[lookup],
        tool_choice="required",
        live=LiveOptions(
            model="gpt-live-1.1",
            backend_model="gpt-5.5-mini",
            backend_instructions="Use lookup for every order question.",
            acknowledgement_delay_ms=300,
            session_options={"store": True},
        ),
    )
    session = start(agent)
    assert (session["model"], session["store"]) == ("gpt-live-1.1", True)
    delegation = session["delegation"]
    assert delegation["acknowledgement_delay_ms"] == 300
    backend = delegation["responses"]
    assert (backend["model"], backend["instructions"], backend["tool_choice"]) == (
        "gpt-5.5-mini",
        "Use lookup for every order question.",
        "required",
    )
    no_backend_prompt = rtagents.Agent(
        instructions="x", tools=[lookup], live=LiveOptions(backend_instructions="")
    )
    assert "instructions" not in start(no_backend_prompt)["delegation"]["responses"]


def test_delegation_is_responses_with_tools_and_client_without() -> None:
    assert start(rtagents.Agent())["delegation"] == {"type": "client"}
    assert start(rtagents.Agent(tools=[DOCS]))["delegation"]["type"] == "responses"
    forced = rtagents.Agent(tools=[lookup], live=LiveOptions(delegation="client"))
    assert start(forced)["delegation"] == {"type": "client"}


@pytest.mark.parametrize(
    ("given", "wire"),
    [
        ("pcm16", {"type": "audio/pcm", "rate": 24000}),
        ("pcmu", {"type": "audio/pcmu", "rate": 8000}),
        ("pcma", {"type": "audio/pcma", "rate": 8000}),
        (p.AudioPCM(type="audio/pcm", rate=24000), {"type": "audio/pcm", "rate": 24000}),
    ],
)
def test_the_audio_format_and_voice(given: Any, wire: dict[str, Any]) -> None:
    session = start(rtagents.Agent(voice="cedar", input_audio_format=given))
    assert session["audio"] == {"format": wire, "output": {"voice": "cedar"}}


def test_realtime_only_settings_are_named_not_sent() -> None:
    agent = rtagents.Agent(
        speed=1.2,
        output_modalities=["text"],
        turn_detection=None,
        input_audio_format="pcm16",
        output_audio_format="pcmu",
    )
    config, notes = live_config.start_config(agent, [])
    assert notes == [
        "output_modalities (Realtime only)",
        "speed (Realtime only)",
        "turn_detection (the Live model detects turns itself)",
        "a different input and output audio format (GPT-Live has one: the input's)",
    ]
    assert config.audio is not None and config.audio.format == lp.AudioPCM(rate=24000)
    core = LiveCore(lambda name, response_id: ToolTraits())
    _, actions = core.configure(agent, tools=[], tracing=None)
    assert "not sent: output_modalities (Realtime only)" in actions[-1].event.message


def test_an_update_carries_only_the_backends_settings() -> None:
    agent = rtagents.Agent(instructions="New rules.", tools=[lookup], voice="marin")
    update = live_config.update_config(agent, [t.definition() for t in agent.sources.functions])
    frame = json.loads(lp.encode_live_client_event(lp.SessionUpdate(session=update)))
    SDK.validate_python(frame)
    assert set(frame["session"]) == {"delegation"}
    assert frame["session"]["delegation"]["responses"]["instructions"] == "New rules."


def update(agent: rtagents.Agent, running: str | None = None) -> dict[str, Any]:
    """The ``delegation`` of the agent's ``session.update`` (the SDK accepts it), in a
    session that runs ``running`` delegation."""
    now = {"delegation": {"type": running}} if running else None
    tools = [t.definition() for t in agent.sources.functions]
    config = live_config.update_config(agent, tools, now)
    frame = json.loads(lp.encode_live_client_event(lp.SessionUpdate(session=config)))
    SDK.validate_python(frame)
    delegation: dict[str, Any] = frame["session"]["delegation"]
    return delegation


def test_an_update_keeps_the_delegation_the_session_runs() -> None:
    """GPT-Live refuses a change of delegation kind. An agent with no tools (a handoff's
    target that only talks) takes the kind the session runs; one that cannot is refused
    here, saying why: it asks for another kind, or has tools for a session that is not on
    responses delegation."""
    talker = rtagents.Agent(name="faq", instructions="You answer questions.")
    assert update(talker, "responses")["type"] == "responses"
    assert update(talker, "responses")["responses"]["tools"] == []
    assert update(talker)["type"] == "client"  # (a session not reported yet: its own)
    assert update(rtagents.Agent(name="desk", tools=[lookup]), "responses")["type"] == "responses"
    with pytest.raises(rtagents.SessionConfigError, match="needs responses delegation") as why:
        update(rtagents.Agent(name="desk", tools=[lookup]), "client")
    assert why.value.param == "delegation.type"
    asks = rtagents.Agent(name="asks", live=LiveOptions(delegation="client"))
    with pytest.raises(rtagents.SessionConfigError, match="needs client delegation"):
        update(asks, "responses")


@pytest.mark.parametrize("reported", [{"delegation": None}, {}])
def test_a_session_reported_without_a_delegation_runs_the_apps(reported: dict[str, Any]) -> None:
    """The API: a delegation "omitted or null selects your application". An agent with
    tools is refused for such a session before anything is sent, as for one reported as
    ``client``; one without tools takes the app's delegation."""
    now = {"id": "live_1", "model": "gpt-live-1", **reported}
    desk = rtagents.Agent(name="desk", tools=[lookup])
    tools = [t.definition() for t in desk.sources.functions]
    with pytest.raises(rtagents.SessionConfigError, match="runs client delegation"):
        live_config.update_config(desk, tools, now)
    talker = rtagents.Agent(name="faq", instructions="You answer questions.")
    config = live_config.update_config(talker, [], now)
    assert config.model_dump(exclude_unset=True)["delegation"]["type"] == "client"


def test_the_backend_settings_of_session_options_go_in_every_update_too() -> None:
    """``live.session_options``' delegation settings went into ``session.start`` only: the
    update after a drop (or a handoff, or a sideband's first) put the defaults back."""
    live = LiveOptions(session_options={"delegation": {"responses": {"model": "gpt-5-mini"}}})
    agent = rtagents.Agent(name="desk", tools=[lookup], live=live)
    assert start(agent)["delegation"]["responses"]["model"] == "gpt-5-mini"
    assert update(agent, "responses")["responses"]["model"] == "gpt-5-mini"
    assert update(agent, "responses")["responses"]["tools"][0]["name"] == "lookup"


def test_connect_model_names_the_live_model() -> None:
    core = LiveCore(lambda name, response_id: None, model="gpt-live-1.1")
    _, actions = core.configure(rtagents.Agent(), tools=[], tracing=None)
    assert actions[0].event.session.model == "gpt-live-1.1"


def test_an_update_reads_the_kind_session_options_set() -> None:
    """``live.session_options`` may set the delegation's type itself (it goes over the
    agent's own at the start): an update checks that kind against the running one, not the
    kind the agent's tools alone would ask for."""
    live = LiveOptions(session_options={"delegation": {"type": "client"}})
    asks = rtagents.Agent(name="asks", tools=[lookup], live=live)
    assert start(asks)["delegation"]["type"] == "client"
    assert update(asks, "client")["type"] == "client"
    with pytest.raises(rtagents.SessionConfigError, match="needs client delegation"):
        update(asks, "responses")


def test_an_agent_without_questions_takes_over_a_decisions_session() -> None:
    """A session on decisions delegation, handed to an agent with no tools and no
    ``decisions`` of its own: its update leaves the questions out, and the session keeps
    its own (a decisions update keeps what it leaves out). It raised a bare ``ValueError``."""
    talker = rtagents.Agent(name="faq", instructions="You answer questions.")
    assert update(talker, "decisions") == {"type": "decisions"}
    questions = {
        "model": "gpt-5-mini",
        "questions": [{"type": "predicate", "instructions": "Angry?"}],
    }
    asks = rtagents.Agent(
        name="asks", live=LiveOptions(delegation="decisions", decisions=questions)
    )
    assert update(asks, "decisions")["decisions"]["model"] == "gpt-5-mini"


def test_live_options_say_what_is_wrong_where_they_are_written() -> None:
    with pytest.raises(ValueError, match="needs decisions="):
        LiveOptions(delegation="decisions")
    with pytest.raises(ValueError, match="use one of"):
        LiveOptions(delegation="respones")  # type: ignore[arg-type]
    given = {"delegation": {"decisions": {"model": "m", "questions": []}}}
    options = LiveOptions(delegation="decisions", session_options=given)
    assert start(rtagents.Agent(live=options))["delegation"]["decisions"]["model"] == "m"

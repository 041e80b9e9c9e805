"""A ``session.start`` is a fork's only when it carries nothing a new session alone takes:
a malformed new session is refused, naming what is wrong, never read as a fork's overrides.
The openai SDK's Live types say which fields those are (a fork's are overrides only)."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types import live as oa

from rtagents.errors import ProtocolError
from rtagents.protocol import live

# What a new session's configuration has and a fork's has not: naming one, the event is a
# primary WebSocket's session.start (whose model is required).
NEW_ONLY = set(oa.SessionConfig.model_fields) - set(oa.ForkSessionConfig.model_fields)
BAD = {"model": 5, "instructions": 5, "input": 5, "triggers": 5, "safety_identifier": 5}


def _start(session: Any) -> Any:
    return live.parse_live_client_event({"type": "session.start", "session": session})


def test_the_sdk_names_the_fields_a_fork_does_not_take() -> None:
    assert set(BAD) == NEW_ONLY == live.NEW_SESSION_ONLY


@pytest.mark.parametrize("key", sorted(BAD))
def test_a_new_session_field_gone_wrong_is_refused_by_name(key: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        _start({"model": "gpt-live-1", key: BAD[key]})
    assert raised.value.param == f"session.{key}"
    assert not raised.value.missing


def test_instructions_alone_gone_wrong_are_not_a_fork() -> None:
    with pytest.raises(ProtocolError) as raised:
        _start({"instructions": 5})
    assert raised.value.param == "session.instructions"


def test_a_new_session_without_its_model_is_missing_it() -> None:
    with pytest.raises(ProtocolError) as raised:
        _start({"instructions": "Be brief.", "store": True})
    assert (raised.value.param, raised.value.missing) == ("session.model", True)


def test_a_trigger_question_without_instructions_is_missing_them() -> None:
    trigger = {
        "type": "decisions",
        "event_type": "session.input_transcript.delta",
        "decisions": {"questions": [{"type": "predicate"}]},
    }
    with pytest.raises(ProtocolError) as raised:
        _start({"model": "gpt-live-1", "triggers": [trigger]})
    assert raised.value.param == "session.triggers[0].decisions.questions[0].instructions"
    assert raised.value.missing


def test_initial_input_gone_wrong_is_named() -> None:
    with pytest.raises(ProtocolError) as raised:
        _start({"model": "gpt-live-1", "input": [{"role": "user", "content": "Hi"}]})
    assert raised.value.param == "session.input[0].content"


@pytest.mark.parametrize(
    "session",
    [
        {},
        {"store": True},
        {"audio": {"format": {"type": "audio/pcmu", "rate": 8000}}, "store": False},
        {"delegation": {"type": "responses", "responses": {"max_output_tokens": 300}}},
    ],
)
def test_a_forks_overrides_still_parse_as_a_fork(session: dict[str, Any]) -> None:
    event = _start(session)
    assert type(event.session) is live.ForkSessionConfig
    oa.ForkSessionStartEvent.model_validate({"type": "session.start", "session": session})


def test_a_config_built_in_python_keeps_its_kind() -> None:
    fork = live.SessionStart(session=live.ForkSessionConfig(store=True))
    assert type(fork.session) is live.ForkSessionConfig
    new = live.SessionStart(session=live.SessionConfig(model="gpt-live-1"))
    assert type(new.session) is live.SessionConfig
    assert type(_start(new.session.model_dump(exclude_unset=True)).session) is live.SessionConfig

"""Emulator: session.update takes what the current API takes, and names a bad value by its path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rtagents.emulator import Emulator

from .wire import Wire

pytestmark = pytest.mark.anyio

VAD_ONLY = {"threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"}


@pytest.mark.parametrize(
    "model",
    ["gpt-transcribe", "gpt-live-transcribe", "gpt-realtime-whisper", "gpt-transcribe-2031-01-01"],
)
async def test_any_transcription_model_name_is_taken(model: str) -> None:
    # The API takes any model name here (the SDK types it as an open string).
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        transcription = {"model": model, "languages": ["en", "fr"], "keywords": ["rtagents"]}
        if model == "gpt-realtime-whisper":
            transcription["delay"] = "low"
        session = await wire.update(audio={"input": {"transcription": transcription}})
        assert session["audio"]["input"]["transcription"] == transcription
        await wire.close()


@pytest.mark.parametrize(
    ("session", "param"),
    [
        (
            {"audio": {"input": {"transcription": {"model": 5}}}},
            "session.audio.input.transcription.model",
        ),
        (
            {"audio": {"input": {"transcription": {"delay": "soon"}}}},
            "session.audio.input.transcription.delay",
        ),
        (
            {"audio": {"input": {"transcription": {"languages": "en"}}}},
            "session.audio.input.transcription.languages",
        ),
        (
            {"audio": {"input": {"noise_reduction": {"strength": -1}}}},
            "session.audio.input.noise_reduction.strength",
        ),
        (
            {"tools": [{"type": "mcp", "server_label": "x", "allowed_tools": [1]}]},
            "session.tools[0].allowed_tools[0]",
        ),
        ({"tools": [{"type": "function", "name": 3}]}, "session.tools[0].name"),
        ({"tool_choice": {"type": "mcp"}}, "session.tool_choice.server_label"),
        ({"reasoning": {"effort": "max"}}, "session.reasoning.effort"),
        ({"parallel_tool_calls": "perhaps"}, "session.parallel_tool_calls"),
        (
            {"audio": {"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "x"}}}},
            "session.audio.input.turn_detection.eagerness",
        ),
    ],
)
async def test_the_error_param_is_the_full_path_from_the_event(
    session: dict[str, Any], param: str
) -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        before = json.dumps(emu.last.session, sort_keys=True)
        error = await wire.expect_error(
            {"type": "session.update", "session": {"type": "realtime", **session}}
        )
        assert (error["param"], error["code"]) == (param, "invalid_value")
        assert param in error["message"]
        assert json.dumps(emu.last.session, sort_keys=True) == before  # nothing changed
        await wire.update(instructions="still here")  # and the session goes on
        await wire.close()


async def test_switching_turn_detection_type_replaces_the_other_types_fields() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.update(
            audio={"input": {"turn_detection": {"type": "server_vad", "threshold": 0.7}}}
        )
        session = await wire.update(audio={"input": {"turn_detection": {"type": "semantic_vad"}}})
        turn = session["audio"]["input"]["turn_detection"]
        assert turn == {
            "type": "semantic_vad",
            "eagerness": "auto",
            "create_response": True,
            "interrupt_response": True,
        }
        assert emu.last.session["audio"]["input"]["turn_detection"] == turn

        # A partial update of the same type keeps what it leaves out.
        session = await wire.update(
            audio={"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}}}
        )
        session = await wire.update(
            audio={"input": {"turn_detection": {"type": "semantic_vad", "create_response": False}}}
        )
        turn = session["audio"]["input"]["turn_detection"]
        assert (turn["eagerness"], turn["create_response"]) == ("high", False)

        # And back: the server VAD's own defaults, no eagerness.
        session = await wire.update(
            audio={"input": {"turn_detection": {"type": "server_vad", "silence_duration_ms": 400}}}
        )
        turn = session["audio"]["input"]["turn_detection"]
        assert "eagerness" not in turn
        assert set(turn) >= VAD_ONLY
        assert (turn["threshold"], turn["silence_duration_ms"]) == (0.5, 400)
        session = await wire.update(
            audio={"input": {"turn_detection": {"type": "server_vad", "threshold": 0.8}}}
        )
        turn = session["audio"]["input"]["turn_detection"]
        assert (turn["threshold"], turn["silence_duration_ms"]) == (0.8, 400)
        await wire.close()


async def test_turning_detection_on_from_off_starts_from_the_types_defaults() -> None:
    async with Emulator() as emu:
        wire = await Wire.open(emu.url)
        await wire.update(audio={"input": {"turn_detection": None}})
        session = await wire.update(
            audio={"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "low"}}}
        )
        turn = session["audio"]["input"]["turn_detection"]
        assert turn["eagerness"] == "low" and not VAD_ONLY & set(turn)
        await wire.close()

"""Validate and merge ``session.update`` the way the server does."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ValidationError

from ..protocol import KNOWN_VOICES, SessionConfig, TranscriptionSessionConfig
from ..protocol.paths import deepest_error
from .errors import ClientEventError

# What a turn detection of each type starts from. Each type has its own fields: switching
# type starts again from these, so no field of the other type is left behind.
_TURN_DEFAULTS: dict[str, dict[str, Any]] = {
    "server_vad": {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    },
    "semantic_vad": {
        "type": "semantic_vad",
        "eagerness": "auto",
        "create_response": True,
        "interrupt_response": True,
    },
}

DEFAULT_SESSION: dict[str, Any] = {
    "type": "realtime",
    "object": "realtime.session",
    "model": "gpt-realtime",
    "output_modalities": ["audio"],
    "instructions": "You are a helpful assistant.",
    "tools": [],
    "tool_choice": "auto",
    "max_output_tokens": "inf",
    "tracing": None,
    "truncation": "auto",
    "prompt": None,
    "include": None,
    "audio": {
        "input": {
            "format": {"type": "audio/pcm", "rate": 24000},
            "transcription": None,
            "noise_reduction": None,
            "turn_detection": dict(_TURN_DEFAULTS["server_vad"]),
        },
        "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0},
    },
}


TRANSCRIPTION_SESSION: dict[str, Any] = {
    "type": "transcription",
    "object": "realtime.transcription_session",
    "include": None,
    "audio": {"input": copy.deepcopy(DEFAULT_SESSION["audio"]["input"])},
}
"""A transcription session's (``?intent=transcription``): input audio only, no responses."""


def initial_session(intent: str | None) -> dict[str, Any]:
    """A new connection's session: a transcription session for ``intent=transcription``."""
    return copy.deepcopy(TRANSCRIPTION_SESSION if intent == "transcription" else DEFAULT_SESSION)


_WHOLE = frozenset({"format", "tool_choice", "prompt"})
"""Objects an update replaces whole: a function choice after an MCP one keeps no server
label, a prompt keeps no other prompt's version or variables."""


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Fields present in the update replace; nested objects merge, but for those that are
    one choice whole (an audio format, the tool choice, the prompt); lists and nulls replace."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in _WHOLE:
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_update(
    current: dict[str, Any], update: dict[str, Any], *, audio_sent: bool
) -> dict[str, Any]:
    """The session after ``update``, or a ``ClientEventError`` naming the bad ``param``."""
    kind = update["type"]  # present: the client event's schema requires it
    if kind != current.get("type"):
        raise ClientEventError(
            f"Cannot change the session type from '{current.get('type')}' to '{kind}'.",
            code="invalid_value",
            param="session.type",
        )
    update = without_nulls(update)
    model_cls = SessionConfig if kind == "realtime" else TranscriptionSessionConfig
    try:
        checked = model_cls.model_validate(update)
    except ValidationError as exc:
        param, message = deepest_error(exc.errors(include_url=False), "session", model=model_cls)
        raise ClientEventError(
            f"Invalid value for '{param}': {message}.", code="invalid_value", param=param
        ) from None
    unknown = _first_unknown(checked, "session")
    if unknown is not None:  # (the beta API's input_audio_format, say)
        raise ClientEventError(
            f"Unknown parameter: '{unknown}'.", code="unknown_parameter", param=unknown
        )
    check_function_tools(update.get("tools"), "session.tools")
    merged = _merge(current, update)
    if "model" in update and update["model"] != current.get("model"):
        raise ClientEventError(
            "The model cannot be changed during a session.",
            code="invalid_value",
            param="session.model",
        )
    _check_rules(current, update)
    turn = update.get("audio", {}).get("input", {}).get("turn_detection")
    if isinstance(turn, dict):
        # The same type merges into what is there; another type replaces it.
        before = current.get("audio", {}).get("input", {}).get("turn_detection") or {}
        base = before if before.get("type") == turn["type"] else _TURN_DEFAULTS[turn["type"]]
        merged["audio"]["input"]["turn_detection"] = {**base, **turn}
    voice = update.get("audio", {}).get("output", {}).get("voice")
    check_voice(voice, current, audio_sent, "session.audio.output.voice")
    return merged


def check_voice(voice: Any, session: dict[str, Any], audio_sent: bool, param: str) -> None:
    """A voice asked for (by ``session.update`` or for one response): one the server has,
    and the session's own once the model has spoken in it."""
    if voice is None:
        return
    # A custom voice is an object, {"id": "voice_..."}: the schema checked its shape.
    if isinstance(voice, str) and voice not in KNOWN_VOICES:
        raise ClientEventError(
            f"Invalid value: '{voice}'. Supported voices: {', '.join(sorted(KNOWN_VOICES))}.",
            code="invalid_value",
            param=param,
        )
    if audio_sent and voice != session["audio"]["output"]["voice"]:
        raise ClientEventError(
            "Cannot update a conversation's voice if assistant audio is present.",
            code="cannot_update_voice",
            param=param,
        )


METADATA_PAIRS, METADATA_KEY_CHARS, METADATA_VALUE_CHARS = 16, 64, 512


def check_metadata(metadata: Any, param: str) -> None:
    """A response's ``metadata``: at most 16 pairs, keys of at most 64 characters and values
    of at most 512, as the API documents."""
    if not isinstance(metadata, dict):
        return  # (the schema checked its shape)
    if len(metadata) > METADATA_PAIRS:
        raise ClientEventError(
            f"Invalid 'metadata': too many properties. Expected an object with at most "
            f"{METADATA_PAIRS} properties, but got an object with {len(metadata)} properties.",
            code="object_above_max_properties",
            param=param,
        )
    for key, value in metadata.items():
        for what, text, limit, at in (
            ("a key", key, METADATA_KEY_CHARS, param),
            ("a string", value, METADATA_VALUE_CHARS, f"{param}.{key}"),
        ):
            if isinstance(text, str) and len(text) > limit:
                raise ClientEventError(
                    f"Invalid '{at}': string too long. Expected a string with maximum length "
                    f"{limit}, but got {what} with length {len(text)} instead.",
                    code="string_above_max_length",
                    param=at,
                )


def audio_format(session: dict[str, Any], direction: str) -> str:
    fmt = session.get("audio", {}).get(direction, {}).get("format") or {}
    return str(fmt.get("type") or "audio/pcm")


_NULLABLE = frozenset(
    {
        "turn_detection",
        "transcription",
        "noise_reduction",
        "idle_timeout_ms",
        "tracing",
        "prompt",
        "include",
        "max_output_tokens",
        "metadata",
    }
)
"""Fields whose ``null`` says something (no turn detection, no tracing, ...). Any other
field given as ``null`` is taken as not given: stored, it would break the session."""


def without_nulls(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` less each ``null`` that means nothing (see ``_NULLABLE``), at any depth
    of its objects."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None and key not in _NULLABLE:
            continue
        out[key] = without_nulls(value) if isinstance(value, dict) else value
    return out


def check_modalities(modalities: Any, param: str) -> None:
    """The real server takes one output modality: text, or audio (with its transcript)."""
    if isinstance(modalities, list) and {"text", "audio"} <= set(modalities):
        raise ClientEventError(
            "Invalid modalities: ['text', 'audio']. Supported combinations are: ['text'] "
            "and ['audio'].",
            code="invalid_value",
            param=param,
        )


def _check_rules(current: dict[str, Any], update: dict[str, Any]) -> None:
    """What the real server refuses beyond the schema."""
    check_modalities(update.get("output_modalities"), "session.output_modalities")
    turn = update.get("audio", {}).get("input", {}).get("turn_detection")
    idle = turn.get("idle_timeout_ms") if isinstance(turn, dict) else None
    if idle is not None and not 5000 <= idle <= 30000:
        raise ClientEventError(
            f"Invalid 'session.audio.input.turn_detection.idle_timeout_ms': {idle}. Expected "
            "a value between 5000 and 30000.",
            code="invalid_value",
            param="session.audio.input.turn_detection.idle_timeout_ms",
        )
    if (
        "tracing" in update
        and current.get("tracing") is not None
        and update["tracing"] != current["tracing"]
    ):
        raise ClientEventError(
            "Tracing cannot be modified once it has been enabled for a session.",
            code="invalid_value",
            param="session.tracing",
        )


def start_with(core: Any, session: dict[str, Any]) -> None:
    """A connection's session starts as ``session`` says (a SIP call's accept, a WebRTC
    call's offer, a client secret's minted session): applied to ``core`` (a ``ServerCore``)
    before anything is sent, of the connection's own type (a transcription session's for
    a transcription secret). A bad config is a ``ClientEventError``."""
    core.session = minted_session(session, core.session)
    model = session.get("model")
    if isinstance(model, str) and model and core.session.get("type") == "realtime":
        core.session["model"] = model  # (a call's accept is the one place it is said)
    core.audio.configure(core.session)


def minted_session(
    session: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The session ``session`` (a client secret's, an accept's; its model aside) makes of
    ``current`` (a new connection's by default): checked as ``session.update`` is."""
    kind = "transcription" if session.get("type") == "transcription" else "realtime"
    base = current if current is not None else initial_session(kind)
    update = {k: v for k, v in session.items() if k != "model"}
    return apply_update(base, {**update, "type": base.get("type", kind)}, audio_sent=False)


def check_function_tools(tools: Any, param: str) -> None:
    """Refuse a function tool the API refuses (a session's or a response's ``tools``): one
    with no name, or whose ``parameters`` is no JSON Schema of an object. (Taken, it would
    fail every response after, as the server's error.)"""
    for index, tool in enumerate(tools if isinstance(tools, list) else ()):
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            continue
        where, schema = f"{param}[{index}]", tool.get("parameters")
        if not isinstance(tool.get("name"), str) or not tool["name"]:
            where, why = f"{where}.name", "a function tool needs a name"
        elif schema is not None and not (
            isinstance(schema, dict)
            and schema.get("type", "object") == "object"
            and isinstance(schema.get("properties", {}), dict)
        ):
            where, why = f"{where}.parameters", "a function's parameters are a JSON Schema object"
        else:
            continue
        raise ClientEventError(
            f"Invalid value for '{where}': {why}.", code="invalid_value", param=where
        )


def _first_unknown(value: Any, path: str) -> str | None:
    """The wire path of the first field the API does not have, as the real server names
    it (``session.tools[0].meta``): the models keep what they do not know, the server
    refuses it."""
    if isinstance(value, BaseModel):
        for name in value.model_extra or {}:
            return f"{path}.{name}"
        for name, field in type(value).model_fields.items():
            found = _first_unknown(getattr(value, name), f"{path}.{field.alias or name}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_unknown(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None

"""A GPT-Live session's configuration as the emulator keeps it: ``session.start`` resolved with
the server's defaults, ``session.update`` merged in, and the snapshot events show.

Configurations arrive checked against the protocol's models; what is refused here is what
the schema allows and the server (or this emulator) does not.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from pydantic import ValidationError

from ...protocol import live as lp
from ..conversation import new_id
from ..errors import ClientEventError
from ..usage import tokens
from .decisions import check_triggers

DEFAULT_INSTRUCTIONS = "You are a helpful voice assistant."
DEFAULT_FORMAT = {"type": "audio/pcm", "rate": 24000}
DEFAULT_VOICE = "marin"
_START_KEYS = frozenset(
    {"model", "instructions", "audio", "client", "delegation", "input", "triggers", "store"}
    | {"safety_identifier"}
)
_UPDATE_KEYS = frozenset({"delegation", "triggers"})
_ACK_MS = lp.ACKNOWLEDGEMENT_DELAY_MS
_MAX_INPUT = 128
_MAX_INPUT_TOKENS = 8192  # the SDK's "configured rendered-token limit (8,192 by default)"
_MAX_INSTRUCTIONS = 16_384  # tokens the client may give (the SDK's SessionConfig)
Opening = TypeVar("Opening", lp.AcceptRequest, lp.LiveCreateRequest)


def start(config: dict[str, Any], *, created_at_s: float, max_session_s: float) -> dict[str, Any]:
    """The session a ``session.start`` configuration makes, with the server's defaults."""
    _known(config, _START_KEYS)
    if not config.get("model"):  # a fork's session.start may leave it out; a new one may not
        raise ClientEventError(
            "Missing required parameter: 'session.model'.",
            code="missing_required_parameter",
            param="session.model",
        )
    audio = config.get("audio") or {}
    fmt = audio.get("format") or dict(DEFAULT_FORMAT)
    _check_format(fmt)
    given = config.get("input") or []
    _check_input(given)
    triggers = copy.deepcopy(config.get("triggers") or [])
    check_triggers(triggers)
    instructions = config.get("instructions") or ""
    if tokens(instructions) > _MAX_INSTRUCTIONS:
        raise ClientEventError(
            f"Invalid 'session.instructions': at most {_MAX_INSTRUCTIONS} tokens.",
            code="string_above_max_length",
            param="session.instructions",
        )
    session: dict[str, Any] = {
        "id": new_id("sess"),
        "model": config["model"],
        "status": "active",
        "expires_at": int(created_at_s + max_session_s),
        "instructions": instructions if instructions.strip() else DEFAULT_INSTRUCTIONS,
        "audio": {
            "format": fmt,
            "output": {"voice": (audio.get("output") or {}).get("voice") or DEFAULT_VOICE},
        },
        "delegation": _delegation(config.get("delegation")),
        "input": list(given),
        "triggers": triggers,
        "store": bool(config.get("store") or False),
    }
    for key in ("client", "safety_identifier"):
        if config.get(key) is not None:
            session[key] = config[key]
    return session


def _check_input(given: list[dict[str, Any]]) -> None:
    """The startup history the server takes: at most ``_MAX_INPUT`` messages of one text
    part each, ``_MAX_INPUT_TOKENS`` rendered tokens in all (the emulator's count)."""
    if len(given) > _MAX_INPUT:
        raise ClientEventError(
            f"Invalid 'session.input': at most {_MAX_INPUT} messages, got {len(given)}.",
            code="invalid_value",
            param="session.input",
        )
    total = 0
    for index, message in enumerate(given):
        content = message.get("content") or []
        if len(content) != 1:
            raise ClientEventError(
                f"Invalid 'session.input[{index}].content': supply exactly one text part.",
                code="invalid_value",
                param=f"session.input[{index}].content",
            )
        total += tokens(str(content[0].get("text") or ""))
    if total > _MAX_INPUT_TOKENS:
        raise ClientEventError(
            f"Invalid 'session.input': at most {_MAX_INPUT_TOKENS} rendered tokens.",
            code="string_above_max_length",
            param="session.input",
        )


def requested(kind: type[Opening], body: bytes | dict[str, Any]) -> tuple[Opening, dict[str, Any]]:
    """A request that opens a session (a SIP call's accept, a WebRTC session's create) and
    its session as ``session.start`` takes it; ``ValueError`` with the message for a 400
    when the body or its session is refused, before the call is answered."""
    try:
        if isinstance(body, bytes):
            request = kind.model_validate_json(body)
        else:
            request = kind.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"Invalid '{where}': {first['msg']}") from None
    session = request.session.model_dump(mode="json", exclude_unset=True, exclude={"type"})
    try:  # what the session would refuse is refused here
        start(session, created_at_s=0, max_session_s=3600)
    except ClientEventError as err:
        raise ValueError(err.message) from None
    return request, session


def update(session: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``session`` with a ``session.update``'s changes: the delegation's settings (never its
    kind) and the triggers. Nothing changes when anything is refused."""
    _known(changes, _UPDATE_KEYS)
    new = copy.deepcopy(session)
    wanted = changes.get("delegation")
    if wanted is not None:
        current = new["delegation"]
        if wanted["type"] != current["type"]:
            raise ClientEventError(
                "The delegation type cannot change: this session delegates to "
                f"'{current['type']}'.",
                code="invalid_value",
                param="session.delegation.type",
            )
        if wanted.get("acknowledgement_delay_ms") is not None:
            current["acknowledgement_delay_ms"] = wanted["acknowledgement_delay_ms"]
        _check_tools(wanted.get("responses"))
        for kind in ("responses", "decisions"):
            for key, value in (wanted.get(kind) or {}).items():
                current[kind][key] = value  # sparse: what is left out stays
    if changes.get("triggers") is not None:
        check_triggers(changes["triggers"])
        new["triggers"] = copy.deepcopy(changes["triggers"])
    return new


def public(session: dict[str, Any]) -> dict[str, Any]:
    """The session as events show it: an MCP server's credentials are never echoed."""
    out = copy.deepcopy(session)
    responses = backend(out)
    if responses is not None and "tools" in responses:
        responses["tools"] = [
            {k: v for k, v in tool.items() if k not in ("authorization", "headers")}
            for tool in responses["tools"] or []
        ]
    return out


def backend(session: dict[str, Any]) -> dict[str, Any] | None:
    """The Responses backend's settings, when the session delegates to one."""
    delegation = session.get("delegation") or {}
    return delegation.get("responses") if delegation.get("type") == "responses" else None


def decisions(session: dict[str, Any]) -> dict[str, Any] | None:
    """The ``decisions`` delegation's settings (model, questions), when the session has one."""
    delegation = session.get("delegation") or {}
    return delegation.get("decisions") if delegation.get("type") == "decisions" else None


def _delegation(given: dict[str, Any] | None) -> dict[str, Any]:
    if given is None:  # omitted or null: the application handles delegated tasks
        return {"type": "client", "acknowledgement_delay_ms": _ACK_MS["client"]}
    kind = given["type"]
    if kind not in _ACK_MS:
        raise ClientEventError(
            "The emulator runs 'client', 'responses' and 'decisions' delegation only.",
            code="invalid_value",
            param="session.delegation.type",
        )
    out = dict(given)
    if out.get("acknowledgement_delay_ms") is None:
        out["acknowledgement_delay_ms"] = _ACK_MS[kind]
    if kind in ("responses", "decisions"):
        out[kind] = copy.deepcopy(given[kind])
    if kind == "responses":
        _check_tools(out[kind])
    return out


def _check_tools(responses: dict[str, Any] | None) -> None:
    """Refuse an MCP tool without its ``server_label``: the schema lets it go (the SDK's
    too), but the Responses API requires one, and the emulator keys its hosted MCP servers by
    it; caught here, the whole ``session.start`` or ``session.update`` is refused, before
    the session is recorded or changed."""
    for i, tool in enumerate((responses or {}).get("tools") or []):
        if tool.get("type") == "mcp" and not tool.get("server_label"):
            param = f"session.delegation.responses.tools[{i}].server_label"
            raise ClientEventError(
                f"Missing required parameter: '{param}'.",
                code="missing_required_parameter",
                param=param,
            )


def _check_format(fmt: dict[str, Any]) -> None:
    kind, rate = fmt["type"], fmt.get("rate")
    wanted = 24000 if kind == "audio/pcm" else 8000
    if rate != wanted:
        raise ClientEventError(
            f"Invalid value: {rate}. The emulator takes {kind} at {wanted} Hz only.",
            code="invalid_value",
            param="session.audio.format.rate",
        )


def _known(config: dict[str, Any], keys: frozenset[str]) -> None:
    for key in config:
        if key not in keys:
            raise ClientEventError(
                f"Unknown parameter: 'session.{key}'.",
                code="unknown_parameter",
                param=f"session.{key}",
            )

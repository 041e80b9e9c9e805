"""An ``Agent`` as a GPT-Live session config: the one place it is built, as
``Agent.session_config`` is the Realtime API's.

- The agent's ``instructions`` go to the Live model (the voice); ``voice`` and the audio
  format too (one format both ways on GPT-Live).
- Its tools go to the Responses backend the Live model delegates work to (responses
  delegation): function tools and local MCP tools as ``function`` tools (this process runs
  them), ``HostedMCP`` configs as ``mcp`` tools (the backend runs them; their approval
  requests come to the agent's policy). The backend's instructions are
  ``LiveOptions.backend_instructions``, or the agent's own ``instructions``: written for a
  model that both talks and acts, they hold the business rules and tool workflows the backend
  needs.
- Which delegation: ``LiveOptions.delegation``; ``"auto"`` is responses when the agent has
  tools, else client (the app answers, with ``Agent.on_delegation``). A ``"decisions"``
  delegation asks ``LiveOptions.decisions``' questions (the app receives ``decision.event``).

Only the delegation's backend settings can change after the start (``session.update``): a
new agent's instructions, voice or audio format do not reach a running Live session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import protocol as p
from .._merge import deep_merge
from .._redact import redact_url
from ..errors import SessionConfigError
from ..protocol import live as lp
from ..protocol.audio_formats import named_format
from .restate import LIVE_PLACES, Place, changed, live_defaults, restate

if TYPE_CHECKING:
    from ..agent import Agent

_G711_RATE = 8000
_REALTIME_ONLY = ("output_modalities", "transcription", "speed")
"""Agent fields GPT-Live has no counterpart for (turn detection is the model's, too)."""


def delegation_kind(agent: Agent) -> str:
    """``"responses"``, ``"client"`` or ``"decisions"``: who does the work the Live model
    delegates."""
    kind = agent.live.delegation
    if kind != "auto":
        return kind
    sources = agent.sources
    has_tools = bool(len(sources.functions) or sources.servers or sources.hosted or agent.handoffs)
    return "responses" if has_tools else "client"


def start_config(
    agent: Agent, tools: Sequence[p.FunctionToolDefinition], model: str | None = None
) -> tuple[lp.SessionConfig, list[str]]:
    """The ``session`` of ``session.start``, and notes on the agent's settings that GPT-Live
    has no place for (for a warning)."""
    live = agent.live
    config: dict[str, Any] = {"model": model or live.model}
    if agent.instructions is not None:
        config["instructions"] = agent.instructions
    audio: dict[str, Any] = {}
    formats = {
        _format(f) for f in (agent.input_audio_format, agent.output_audio_format) if f is not None
    }
    notes = [f"{name} (Realtime only)" for name in _REALTIME_ONLY if getattr(agent, name)]
    if agent.session_options:
        notes.append("session_options (the Realtime API's: GPT-Live's are live.session_options)")
    if agent.filler_instructions is not None:
        notes.append("filler_instructions (GPT-Live words its own acknowledgements)")
    if agent.turn_detection != "default":
        notes.append("turn_detection (the Live model detects turns itself)")
    if (kind := _kind(agent)) != "responses" and (tools or agent.sources.hosted):
        notes.append(f"tools ({kind} delegation, asked for: nothing would call them)")
    if agent.on_delegation is not None and kind != "client":
        notes.append(f"on_delegation ({kind} delegation: the hook runs only on client's)")
    if len(formats) > 1:
        notes.append("a different input and output audio format (GPT-Live has one: the input's)")
    if formats:
        audio["format"] = dict(_format(agent.input_audio_format or agent.output_audio_format))
    if agent.voice is not None:
        audio["output"] = {"voice": agent.voice}
    if audio:
        config["audio"] = audio
    config["delegation"] = _delegation(agent, tools)
    if live.session_options:
        config = deep_merge(config, live.session_options)
    return lp.SessionConfig.model_validate(config), notes


def sip_session(agent: Agent) -> dict[str, Any]:
    """The session that answers a SIP call (``POST /v1/live/sessions/{id}/accept``), as
    JSON: ``start_config`` with the agent's function tools and hosted MCP configs (a local
    MCP server's tools reach the backend with the sideband's ``session.update``)."""
    tools = [t.definition() for t in agent.sources.functions]
    config, _ = start_config(agent, tools)
    fields = {"type": "live", **config.model_dump(mode="json", exclude_unset=True)}
    audio = fields.pop("audio", None) or {}
    audio.pop("format", None)  # SIP negotiates it: a primary WebSocket's alone
    if audio:
        fields["audio"] = audio
    return lp.SipSessionConfig.model_validate(fields).model_dump(mode="json", exclude_unset=True)


def update_config(
    agent: Agent,
    tools: Sequence[p.FunctionToolDefinition],
    now: dict[str, Any] | None = None,
    sent: Sequence[Place] = (),
) -> lp.SessionUpdateConfig:
    """The ``session`` of a later ``session.update``: the delegation's backend settings, of
    the kind the session runs (``now``: the session as the server last reported it, if it
    did; GPT-Live refuses a change of kind). Each setting the agent leaves out that a
    configuration this session sent set (``sent``: ``places_set`` of each, answered or still
    on its way: the server applies them in order) is put back to its default. What no
    configuration of the session set is the session's own (a call's accept set it): kept.
    An agent with no tools takes the kind it runs; one that cannot (it asks for another
    kind, or has tools and the session's delegation is not responses) is refused here,
    saying why (``SessionConfigError``, ``param="delegation.type"``)."""
    kind = _kind(agent)
    # A report without a delegation (left out, or null) is of one delegated to the app.
    running = ((now.get("delegation") or {"type": "client"}).get("type")) if now else None
    if running is not None and kind != running:
        asked = agent.live.delegation != "auto" or "type" in _options_delegation(agent)
        if asked or kind == "responses":
            raise SessionConfigError(
                f"agent {agent.name!r} needs {kind} delegation, and this GPT-Live session "
                f"runs {running} delegation, which a running session cannot change",
                param="delegation.type",
            )
        kind = running  # (no tools: responses delegation with none does what it would)
    fields = {"delegation": _delegation(agent, tools, kind)}
    triggers = (agent.live.session_options or {}).get("triggers")
    if triggers is not None:  # (the transcript triggers an update may change, as it starts)
        fields["triggers"] = triggers
    defaults = live_defaults(kind)
    restate(fields, sent, defaults)
    return lp.SessionUpdateConfig.model_validate(fields)


def places_set(config: lp.SessionConfig | lp.SessionUpdateConfig) -> list[Place]:
    """The backend settings a ``session.start``'s or ``session.update``'s ``config`` sets
    away from their defaults (for ``update_config``'s ``sent``)."""
    fields = config.model_dump(exclude_unset=True)
    kind = (fields.get("delegation") or {}).get("type")
    return changed(fields, live_defaults(kind if isinstance(kind, str) else ""), LIVE_PLACES)


def _kind(agent: Agent) -> str:
    """The delegation kind the agent's config asks for: ``live.session_options``' own
    ``delegation.type`` when it sets one (it goes over the agent's), else the agent's."""
    given = _options_delegation(agent).get("type")
    return given if isinstance(given, str) else delegation_kind(agent)


def _options_delegation(agent: Agent) -> dict[str, Any]:
    extra = agent.live.session_options.get("delegation") if agent.live.session_options else None
    return extra if isinstance(extra, dict) else {}


def _delegation(
    agent: Agent, tools: Sequence[p.FunctionToolDefinition], kind: str | None = None
) -> dict[str, Any]:
    """The ``delegation`` of the agent's config, with ``live.session_options``' own over it:
    the same at the start and in every update."""
    extra = _options_delegation(agent)
    built = _built_delegation(agent, tools, kind or delegation_kind(agent))
    return deep_merge(built, extra) if extra else built


def _built_delegation(
    agent: Agent, tools: Sequence[p.FunctionToolDefinition], kind: str
) -> dict[str, Any]:
    live = agent.live
    delegation: dict[str, Any] = {"type": kind}
    # The server's own filler: it acknowledges a delegation aloud after this long.
    acknowledge = live.acknowledgement_delay_ms
    if acknowledge is None:
        acknowledge = agent.filler_after_ms
    if acknowledge is not None:
        delegation["acknowledgement_delay_ms"] = acknowledge
    if kind == "decisions" and live.decisions is not None:
        # Without questions of its own (``session_options`` has them, or the agent takes
        # over a running decisions session: an update leaves out what it keeps).
        delegation["decisions"] = _decisions(live.decisions)
    if kind != "responses":
        return delegation
    backend: dict[str, Any] = {
        "model": live.backend_model,
        "tools": [
            *(_function(t) for t in tools),
            *(_mcp(h.definition()) for h in agent.sources.hosted),
        ],
    }
    own = live.backend_instructions
    instructions = agent.instructions if own is None else own
    if instructions:
        backend["instructions"] = instructions
    if agent.tool_choice is not None:
        choice = agent.tool_choice
        backend["tool_choice"] = (
            choice if isinstance(choice, str) else choice.model_dump(exclude_unset=True)
        )
    delegation["responses"] = backend
    return delegation


def _decisions(given: p.WireModel | dict[str, Any]) -> dict[str, Any]:
    """``LiveOptions.decisions`` as the delegation's JSON (checked by the protocol model)."""
    fields = (
        given.model_dump(mode="json", exclude_unset=True)
        if isinstance(given, p.WireModel)
        else given
    )
    config = lp.DecisionsConfig.model_validate(fields)
    dumped: dict[str, Any] = config.model_dump(mode="json", exclude_unset=True)
    return dumped


def _function(definition: p.FunctionToolDefinition) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "function", "name": definition.name}
    if definition.description is not None:
        tool["description"] = definition.description
    if definition.parameters is not None:
        tool["parameters"] = definition.parameters
    return tool


def _mcp(definition: p.McpToolDefinition) -> dict[str, Any]:
    # The same fields as the Realtime API's hosted MCP tool, credentials included (they go
    # only into the session config).
    return definition.model_dump(exclude_unset=True, exclude_none=True) | {"type": "mcp"}


def _format(value: Any) -> tuple[tuple[str, Any], ...]:
    """An agent's audio format as GPT-Live's (PCM at 24 kHz; G.711 at 8 kHz), the rate said."""
    fields = named_format(value).model_dump(exclude_none=True)
    rate = fields.get("rate") or (24000 if fields.get("type") == "audio/pcm" else _G711_RATE)
    return (("type", fields["type"]), ("rate", rate))


def redact(value: Any) -> None:
    """Hosted MCP credentials a server echoes back never reach the app's events (GPT-Live
    says it leaves them out; this holds if it does not)."""
    if isinstance(value, list):
        for each in value:
            redact(each)
        return
    fields = value if isinstance(value, dict) else None
    if fields is None and isinstance(value, p.WireModel):
        fields = {**value.__dict__, **(value.model_extra or {})}
    if fields is None:
        return
    if fields.get("type") == "mcp":
        for key in ("server_url", "authorization", "headers"):
            secret = fields.get(key)
            if secret:
                hidden = _hidden(key, secret)
                if isinstance(value, dict):
                    value[key] = hidden
                else:
                    setattr(value, key, hidden)
    for each in fields.values():
        if isinstance(each, (dict, list, p.WireModel)):
            redact(each)


def _hidden(key: str, secret: Any) -> Any:
    """A hosted MCP credential as the app's events show it (a URL's token and password
    travel in its query, user part and path)."""
    if key == "server_url":
        return redact_url(secret, path=False) if isinstance(secret, str) else "***"
    if key == "headers" and isinstance(secret, dict):
        return {name: "***" for name in secret}
    return "***"

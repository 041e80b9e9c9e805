"""``Agent``: the declarative description of a voice agent, which becomes ``session.update``."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal, Union, get_args

from pydantic import ValidationError

from . import protocol as p
from ._merge import deep_merge
from ._seconds import check_seconds

# What an agent is on GPT-Live, kept apart; importable from here too.
from .agent_live import Delegation as Delegation
from .agent_live import DelegationAnswer as DelegationAnswer
from .agent_live import DelegationHook as DelegationHook
from .agent_live import LiveOptions as LiveOptions
from .agent_live import Thinking as Thinking
from .agent_live import Utterance as Utterance
from .mcp import HostedMCP, MCPServer
from .protocol.audio_formats import AudioFormatName, named_format
from .tools import BaseTool, Toolset
from .tools.base import ApprovalCheck, check_tool_name
from .tools.failures import FailureFormatter

if TYPE_CHECKING:
    from .approvals import ApprovalPolicy
    from .approvals.guardrails import Guardrails

AudioFormatLike = Union[AudioFormatName, p.AudioPCM, p.AudioPCMU, p.AudioPCMA]
TracingLike = Union[Literal["auto"], p.TracingConfiguration, None]
DEFAULT: Final = "default"

_ToolsKey = tuple[tuple[object, tuple[object, ...]], ...]
"""``Agent.tools`` as ``sources`` last split it: each item, and a toolset's tools then."""

AgentTool = Union[BaseTool, Toolset, HostedMCP, MCPServer]
"""What ``Agent.tools`` takes: function tools (``@rtagents.tool``) and other ``BaseTool``
objects, ``Toolset`` objects, ``HostedMCP`` configs and local MCP servers."""


@dataclass(frozen=True)
class ToolSources:
    """An agent's ``tools``, split once by where they run."""

    functions: Toolset
    """Function tools (given directly or through toolsets): run by this process."""
    servers: tuple[MCPServer, ...]
    """Local MCP servers: their tools run by this process, through the server."""
    hosted: tuple[HostedMCP, ...]
    """Hosted MCP configs: run by the Realtime server."""

    def __post_init__(self) -> None:
        # Rules (``allow(server=...)``) and events name a server by its label: two under one
        # would each be approved by what is written for the other.
        labels = [s.name for s in {id(s): s for s in self.servers}.values()]
        labels += [h.server_label for h in {id(h): h for h in self.hosted}.values()]
        if twice := sorted({label for label in labels if labels.count(label) > 1}):
            raise ValueError(
                f"Agent {self.functions.name!r}: two MCP servers are labelled {twice[0]!r}: "
                "give each its own (name=, or HostedMCP's server_label)"
            )


@dataclass
class Agent:
    """What a voice agent is: its instructions, tools, approval policy and voice.

    ``tools`` takes function tools (``@rtagents.tool``), ``Toolset`` objects, ``HostedMCP``
    configs (run by the server) and local MCP servers (``rtagents.mcp.MCPServerStdio``,
    ``MCPServerHTTP``). Fields left ``None`` (or ``"default"``) are not sent: the server's
    defaults apply. ``session_options``: any other ``session`` field, merged last.
    """

    name: str = "agent"
    instructions: str | None = None
    tools: Sequence[AgentTool] = ()
    approval: ApprovalPolicy | None = None
    guardrails: Guardrails | None = None
    """Checks of what is said (the user's messages, the assistant's answers), beside
    ``approval``, which checks what tools do; see ``rtagents.Guardrails``."""
    model: str = "gpt-realtime"
    voice: str | None = None
    output_modalities: Sequence[Literal["text", "audio"]] | None = None
    input_audio_format: AudioFormatLike | None = None
    output_audio_format: AudioFormatLike | None = None
    turn_detection: p.ServerVad | p.SemanticVad | Literal["default"] | None = DEFAULT
    """``None`` turns VAD off (the app commits audio and asks for responses)."""
    transcription: p.AudioTranscription | None = None
    speed: float | None = None
    tool_choice: p.ToolChoice | None = None
    tracing: TracingLike = "auto"
    """``"auto"``, ``None`` (off), or a ``TracingConfiguration``; see the tracing docs."""
    tool_timeout: float = 30.0
    """Seconds a tool without its own ``timeout`` may run before the model is told it timed out."""
    format_failure: FailureFormatter | None = None
    max_tool_output_bytes: int = 2**20
    """The largest tool output (UTF-8 bytes) sent to the model; a larger result becomes a
    ``too_large`` failure the model can read, instead of a frame the server would refuse."""
    filler_after_ms: int | None = None
    """A call of a batch still running this long after its response is done: one short
    filler is asked for (out of band: "one moment"), never the batch's answer. On GPT-Live,
    the server's acknowledgement of a delegation (unless ``acknowledgement_delay_ms``)."""
    filler_instructions: str | None = None
    """What the model is told to say for a filler (``None``: a short "still working on it",
    in the conversation's language). The Realtime API's only."""
    session_options: dict[str, Any] = field(default_factory=dict)
    live: LiveOptions = field(default_factory=LiveOptions)
    """How the agent runs on GPT-Live (``connect(agent, api="live")``)."""
    on_delegation: DelegationHook | None = None
    """GPT-Live with client delegation: answers the work the Live model hands to the app."""
    handoffs: Sequence[HandoffTarget] = ()
    """Agents this one may hand the conversation to, each a transfer tool (``transfer_to_
    <name>``): an agent, a ``handoff(...)``, or a callable giving one (agents naming each other)."""
    handoff_description: str | None = None
    """What this agent is for, in the transfer tools of the agents that hand off to it."""
    max_handoffs: int = 5
    """Handoffs in a row since the user last spoke (this one's included) past which this
    agent's transfer tools answer with an error."""
    _sources: tuple[_ToolsKey, ToolSources] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.check()
        self._warn_unasked()

    def check(self) -> None:
        """Raise ``TypeError`` or ``ValueError``, naming the field, for a field the agent
        cannot run with. Run when the agent is made and again whenever a session takes it
        (``connect``, ``update_agent``, a handoff): an agent may be changed in place, and a
        check that never ran (guardrails that are not ``Guardrails``) would fail open."""
        for text in ("name", "model", "instructions", "voice", "handoff_description"):
            value = getattr(self, text)
            if not isinstance(value, str) and (value is not None or text in ("name", "model")):
                raise TypeError(f"Agent {self.name!r}: {text} takes text, not {value!r:.60}")
        speed = self.speed
        if speed is not None and (isinstance(speed, bool) or not isinstance(speed, (int, float))):
            raise TypeError(f"Agent {self.name!r}: speed takes a number, not {speed!r:.60}")
        check_seconds(self.tool_timeout, f"Agent {self.name!r}: tool_timeout")
        if type(self.max_tool_output_bytes) is not int or self.max_tool_output_bytes < 64:
            raise ValueError(f"Agent {self.name!r}: max_tool_output_bytes must be at least 64")
        filler = self.filler_after_ms
        if filler is not None and (type(filler) is not int or filler <= 0):  # (no bool)
            raise ValueError(f"Agent {self.name!r}: filler_after_ms must be a positive int")
        for side in ("input_audio_format", "output_audio_format"):
            if getattr(self, side) is not None:
                named_format(getattr(self, side), f"Agent {self.name!r}: {side}")
        said = self.filler_instructions
        if said is not None and (not isinstance(said, str) or not said.strip()):
            raise ValueError(f"Agent {self.name!r}: filler_instructions must be text, not blank")
        if not isinstance(self.session_options, dict):
            what = type(self.session_options).__name__
            raise TypeError(f"Agent {self.name!r}: session_options takes a dict, not {what}")
        if not isinstance(self.live, LiveOptions):
            raise TypeError(
                f"Agent {self.name!r}: live takes LiveOptions(...), not {type(self.live).__name__}"
            )
        if type(self.max_handoffs) is not int or self.max_handoffs < 0:
            raise ValueError(f"Agent {self.name!r}: max_handoffs must be a whole number, 0 or more")
        if isinstance(self.tools, str) or not isinstance(self.tools, Sequence):  # (one tool)
            what = type(self.tools).__name__
            raise TypeError(f"Agent {self.name!r}: tools takes a list (tools=[...]), not {what}")
        self.sources  # noqa: B018 - two tools under one name: said now, not at connect
        modalities = self.output_modalities
        one = isinstance(modalities, (list, tuple)) and len(set(modalities)) == 1  # (as served)
        if modalities is not None and not (one and modalities[0] in ("text", "audio")):
            raise ValueError(
                f"Agent {self.name!r}: output_modalities is ['audio'] or ['text'] (what the "
                f"servers take), not {modalities!r}"
            )
        if isinstance(self.handoffs, str) or not isinstance(self.handoffs, Sequence):
            what = type(self.handoffs).__name__
            raise TypeError(
                f"Agent {self.name!r}: handoffs takes a list (handoffs=[...]), not {what}"
            )
        for target in self.handoffs:
            if not (isinstance(target, (Agent, Handoff)) or callable(target)):
                raise TypeError(
                    f"Agent {self.name!r}: handoffs takes agents, rtagents.handoff(...) or "
                    f"callables that return an agent, not {target!r}"
                )
        from .approvals import ApprovalPolicy  # (not at import: approvals imports agents)

        if self.approval is not None and not isinstance(self.approval, ApprovalPolicy):
            raise TypeError(
                f"Agent {self.name!r}: approval takes an ApprovalPolicy (a handler goes in "
                f"ApprovalPolicy(handler=...)), not {self.approval!r}"
            )
        from .approvals.guardrails import Guardrails

        if self.guardrails is not None and not isinstance(self.guardrails, Guardrails):
            raise TypeError(
                f"Agent {self.name!r}: guardrails takes Guardrails(output=[...], input=[...]), "
                f"not {self.guardrails!r:.80}"
            )
        self._check_tracing()
        for item in self.tools:
            # The type says so, but not every caller is type-checked.
            if not isinstance(item, get_args(AgentTool)):
                raise TypeError(
                    f"Agent {self.name!r}: {item!r} is not a tool. Use @rtagents.tool, a Toolset, "
                    "rtagents.HostedMCP or an rtagents.mcp server."
                )

    def _check_tracing(self) -> None:
        """``tracing`` as a session sends it: a dict (the wire's shape, the openai SDK's) is
        taken as the ``TracingConfiguration`` it stands for; anything else not one of the
        three is refused here, naming the field, not deep in ``connect``."""
        tracing: Any = self.tracing
        if isinstance(tracing, dict):
            try:
                self.tracing = p.TracingConfiguration.model_validate(tracing)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(map(str, first["loc"]))
                raise ValueError(f"Agent {self.name!r}: tracing: {where}: {first['msg']}") from None
        elif not (
            tracing is None or tracing == "auto" or isinstance(tracing, p.TracingConfiguration)
        ):
            raise TypeError(
                f"Agent {self.name!r}: tracing takes 'auto', None or a TracingConfiguration "
                f"(or a dict of its fields), not {tracing!r:.80}"
            )

    def _warn_unasked(self) -> None:
        """A deny or ask rule a never-asking hosted server escapes: said, not a surprise."""
        rules = self.approval.rules if self.approval is not None else ()
        for hosted in self.sources.hosted if rules else ():
            never, label = hosted.require_approval, hosted.server_label
            named = getattr(getattr(never, "never", None), "tool_names", None) or ()
            given = hosted.allowed_tools  # (a never-asking server's tools, where it names them)
            given = given if isinstance(given, Sequence) else getattr(given, "tool_names", None)
            tools = given if never == "never" and isinstance(given, Sequence) else named
            hinted = getattr(getattr(never, "never", None), "read_only", None)
            for rule in rules:
                unasked = [t for t in tools if rule.holds_back(label, t)]
                # A never filter by hint exempts the tools of that hint: a rule for them (or
                # for every tool) never applies to those.
                by_hint = hinted is not None and rule.read_only in (hinted, None)
                if ((never == "never" or by_hint) and rule.holds_back(label)) or unasked:
                    which = f"its tools {unasked}" if unasked else "its tools"
                    if by_hint and not unasked and never != "never":
                        which = f"its tools {'' if hinted else 'not '}marked read-only"
                    said = f"Agent {self.name!r}: the {rule.action} rule for {label!r} never "
                    said += f"applies to {which}: HostedMCP {label!r} has them run without "
                    said += "asking (require_approval never); make it ask for them"
                    warnings.warn(said, UserWarning, stacklevel=4)

    @property
    def sources(self) -> ToolSources:
        """``tools`` split by where they run. The one place that split is made, and made
        again only when ``tools`` changed."""
        tools = self.tools
        # The tools themselves, and each toolset's as it is now: a toolset added to in place
        # is a change, and a tool let go of is never mistaken for one made at its address.
        key = tuple((t, tuple(t) if isinstance(t, Toolset) else ()) for t in tools)
        cached = self._sources
        if cached is not None and _same_tools(cached[0], key):
            return cached[1]
        sources = ToolSources(
            functions=Toolset(self.name, [t for t in tools if isinstance(t, (BaseTool, Toolset))]),
            servers=tuple(dict.fromkeys(t for t in tools if isinstance(t, MCPServer))),
            hosted=tuple(t for t in tools if isinstance(t, HostedMCP)),
        )
        self._sources = (key, sources)
        return sources

    def clone(self, **changes: Any) -> Agent:
        """A copy with some fields changed (for handoffs: ``agent.clone(instructions=...)``)."""
        return replace(self, **changes)

    def local_tools(self) -> Toolset:
        """The function tools given directly or through toolsets (not MCP servers)."""
        return self.sources.functions

    def session_config(
        self,
        tools: Sequence[p.FunctionToolDefinition | p.McpToolDefinition] | None = None,
        tracing: p.TracingConfig | Literal["default", "omit"] | None = DEFAULT,
    ) -> p.SessionConfig:
        """The ``session`` of the ``session.update`` this agent becomes.

        ``tools`` defaults to the definitions of the agent's function tools and hosted MCP
        configs; the session passes the full list, local MCP tools included.
        """
        if tools is None:
            sources = self.sources
            tools = [
                *(t.definition() for t in sources.functions),
                *(t.definition() for t in sources.hosted),
            ]
        config = p.SessionConfig(type="realtime", tools=list(tools))
        if self.instructions is not None:
            config.instructions = self.instructions
        if self.output_modalities is not None:
            config.output_modalities = list(self.output_modalities)
        if self.tool_choice is not None:
            config.tool_choice = self.tool_choice
        if tracing == DEFAULT:
            config.tracing = self.tracing
        elif tracing != "omit":
            config.tracing = tracing
        audio_in = p.AudioInput()
        if self.input_audio_format is not None:
            audio_in.format = named_format(self.input_audio_format)
        if self.turn_detection != DEFAULT:
            audio_in.turn_detection = self.turn_detection
        if self.transcription is not None:
            audio_in.transcription = self.transcription
        audio_out = p.AudioOutput()
        if self.output_audio_format is not None:
            audio_out.format = named_format(self.output_audio_format)
        if self.voice is not None:
            audio_out.voice = self.voice
        if self.speed is not None:
            audio_out.speed = self.speed
        if audio_in.model_fields_set or audio_out.model_fields_set:
            config.audio = p.AudioConfig()
            if audio_in.model_fields_set:
                config.audio.input = audio_in
            if audio_out.model_fields_set:
                config.audio.output = audio_out
        if self.session_options:
            merged = deep_merge(config.model_dump(exclude_unset=True), self.session_options)
            config = p.SessionConfig.model_validate(merged)
        return config


@dataclass(frozen=True)
class Handoff:
    """A transfer to another agent, for ``Agent.handoffs``: made by ``rtagents.handoff``.

    ``target`` is an agent, or a callable that returns one when a session takes the agent
    that declares it (for agents that name each other). ``tool_name`` and ``description``
    are the transfer tool's; by default ``transfer_to_<target's name>`` and a description
    from the target's ``handoff_description`` (else its name and instructions)."""

    target: Agent | Callable[[], Agent]
    tool_name: str | None = None
    description: str | None = None
    needs_approval: bool | ApprovalCheck = False
    """As a function tool's: ``True`` (or a check that says so) puts each transfer to the
    agent's approval policy first."""

    def agent(self) -> Agent:
        """The target; a callable is called each time."""
        target = self.target
        agent = target if isinstance(target, Agent) else target()
        if not isinstance(agent, Agent):
            raise TypeError(f"a handoff's target must be an Agent: {target!r} gave {agent!r}")
        return agent


HandoffTarget = Union[Agent, Handoff, Callable[[], Agent]]
"""What ``Agent.handoffs`` takes: an agent, a ``Handoff``, or a callable that returns an agent."""


def handoff(
    target: Agent | Callable[[], Agent],
    *,
    tool_name: str | None = None,
    description: str | None = None,
    needs_approval: bool | ApprovalCheck = False,
) -> Handoff:
    """A transfer to ``target`` for ``Agent.handoffs``, with its tool's name or description
    set: ``Agent(handoffs=[rtagents.handoff(billing, tool_name="billing_desk")])``."""
    if not (isinstance(target, Agent) or callable(target)):
        raise TypeError(f"handoff: {target!r} is not an Agent or a callable that returns one")
    if tool_name is not None:
        check_tool_name(tool_name, "handoff")
    return Handoff(target, tool_name, description, needs_approval)


def _same_tools(a: _ToolsKey, b: _ToolsKey) -> bool:
    """Whether two readings of ``tools`` hold the same objects, compared by identity."""
    return len(a) == len(b) and all(
        x is y and len(xs) == len(ys) and all(p is q for p, q in zip(xs, ys, strict=True))
        for (x, xs), (y, ys) in zip(a, b, strict=True)
    )

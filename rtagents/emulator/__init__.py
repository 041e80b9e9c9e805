"""A local Realtime server: the embedded backend for the demo, the examples and the tests."""

from .faults import (
    DropConnection,
    ErrorReply,
    ExpireSession,
    Fault,
    Latency,
    RaceResponse,
    parse_fault,
)
from .models import CallFunction, CallMCP, Model, ModelContext, Say, ScriptedModel
from .rule_model import RuleModel
from .server import Emulator

__all__ = [
    "CallFunction",
    "CallMCP",
    "DropConnection",
    "Emulator",
    "ErrorReply",
    "ExpireSession",
    "Fault",
    "Latency",
    "Model",
    "ModelContext",
    "RaceResponse",
    "RuleModel",
    "Say",
    "ScriptedModel",
    "parse_fault",
]

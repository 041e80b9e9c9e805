"""A local Realtime server: the embedded backend for the demo, the examples and the tests."""

from .models import CallFunction, CallMCP, Model, ModelContext, RuleModel, Say, ScriptedModel
from .server import Emulator

__all__ = [
    "CallFunction",
    "CallMCP",
    "Emulator",
    "Model",
    "ModelContext",
    "RuleModel",
    "Say",
    "ScriptedModel",
]

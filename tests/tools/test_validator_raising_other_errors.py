"""A validator of the app's that raises something pydantic does not turn into a validation
error (``BeforeValidator(lambda v: v.strip())`` given a number raises ``AttributeError``)
escaped ``parse_arguments`` as it was: the model was told ``error`` ("The tool failed") and
a traceback logged, for what is the arguments' fault. It is ``invalid_arguments`` now, as a
``ValueError`` in the same validator is."""

from __future__ import annotations

import json
from typing import Annotated

import pytest
from pydantic import BeforeValidator

import rtagents
from rtagents.emulator import CallFunction, ModelContext, ScriptedModel
from rtagents.tools import ToolArgumentsError

from ..session.harness import responses_done, run_agent, say

pytestmark = pytest.mark.anyio

Trimmed = Annotated[str, BeforeValidator(lambda v: v.strip())]


@rtagents.tool
def lookup(code: Trimmed) -> str:
    """Look an order up by its code."""
    return f"order {code}"


def test_the_validators_own_error_is_an_arguments_error() -> None:
    with pytest.raises(ToolArgumentsError, match="AttributeError"):
        lookup.parse_arguments('{"code": 42}')
    assert lookup.parse_arguments('{"code": " k7 "}').code == "k7"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_the_model_is_told_its_arguments_were_refused() -> None:
    agent = rtagents.Agent(name="t", tools=[lookup], output_modalities=["text"])
    model = ScriptedModel([CallFunction("lookup", {"code": 42}, call_id="c"), echo])
    run = await run_agent(agent, model, say("go"), until=responses_done(2))
    assert json.loads(run.outputs["c"])["error"] == "invalid_arguments"

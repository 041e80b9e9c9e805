"""``SessionRecord.model_contexts``: "what the scripted model saw at each turn" of the run
(docs/testing.md). ``run_agent`` takes a ``ScriptedModel`` as well as a list (the way to
set ``then=``), and copies the model's whole ``contexts`` into each record: a second run
with the same model gets the first run's contexts too, in front of its own. A test that
reads ``record.model_contexts[0]`` (the instructions, the conversation) reads another run.
"""

from __future__ import annotations

import pytest

import rtagents
from rtagents.testing import ScriptedModel, run_agent

pytestmark = pytest.mark.anyio


async def test_a_records_model_contexts_are_its_own_runs() -> None:
    english = rtagents.Agent(
        name="en", instructions="Answer in English.", output_modalities=["text"]
    )
    french = english.clone(instructions="Answer in French.")
    model = ScriptedModel(["Hello.", "Bonjour."], then="(end)")

    first = await run_agent(english, model, "Hi", within=5)
    second = await run_agent(french, model, "Salut", within=5)

    assert [c.last_user_text for c in first.model_contexts] == ["Hi"]
    assert [c.last_user_text for c in second.model_contexts] == ["Salut"]
    assert second.model_contexts[0].instructions == "Answer in French."

"""A transfer tool's description is the target's ``handoff_description``, "or else the first
line of its instructions" (docs/handoffs.md). An agent whose instructions are blank
(whitespace only, e.g. read from an empty template) has no first line: its transfer tool is
described by its name alone, and a session of an agent that hands off to it opens."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_a_session_opens_with_a_handoff_target_whose_instructions_are_blank() -> None:
    billing = rtagents.Agent(name="billing", instructions="  \n")
    triage = rtagents.Agent(name="triage", handoffs=[billing], output_modalities=["text"])
    async with Emulator(model=ScriptedModel([])) as emu:
        with anyio.fail_after(10):
            async with rtagents.connect(triage, url=emu.url) as session:
                names = sorted(session.tools.names())
    assert names == ["transfer_to_billing"]

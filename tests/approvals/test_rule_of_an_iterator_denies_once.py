"""A rule's ``tool``, ``server`` and ``kind`` take several names; elsewhere rtagents takes
any iterable of names and keeps it as a list (``allowed_tools``, via ``name_list``). A rule
keeps what it is given and iterates it on every match: given a generator or a ``map``
(``deny(tool=map(str.lower, NAMES))``), its first match uses it up, and from the next call
on the deny matches nothing. The second ``delete_repo`` call then falls through to
``allow()`` and runs, the deny silently gone."""

from __future__ import annotations

import pytest

import rtagents
from rtagents import ApprovalPolicy, allow, deny
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

DANGEROUS = ["DELETE_REPO", "DROP_TABLE"]


async def test_a_deny_given_its_names_as_an_iterable_keeps_denying() -> None:
    ran: list[str] = []

    @rtagents.tool(needs_approval=True)
    def delete_repo(name: str) -> str:
        """Delete a repository."""
        ran.append(name)
        return "deleted"

    policy = ApprovalPolicy(
        rules=[deny(tool=map(str.lower, DANGEROUS), reason="never"), allow()], timeout=5
    )
    agent = rtagents.Agent(
        name="ops", tools=[delete_repo], approval=policy, output_modalities=["text"]
    )
    model = ScriptedModel(
        [
            CallFunction("delete_repo", {"name": "a"}, call_id="a"),
            "No.",
            CallFunction("delete_repo", {"name": "b"}, call_id="b"),
            "No again.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            first = await session.ask("delete repo a")
            second = await session.ask("delete repo b")
    decided = [(e.approve, e.decided_by) for e in [*first, *second] if e.type == "approval.decided"]
    assert decided == [(False, "rule"), (False, "rule")]
    assert ran == []

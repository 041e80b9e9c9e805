"""What calls are offered (sans I/O): the session agent's tools and settings, or what a
transfer's response kept, and which of those a rollback lets go."""

from __future__ import annotations

from typing import Any, cast

from rtagents.session.calls import CallSettings
from rtagents.session.offers import Offers
from rtagents.tools import Toolset


def agent(name: str) -> tuple[Toolset, CallSettings]:
    return Toolset(name), cast(CallSettings, object())


def offers_after_three_transfers() -> tuple[Offers, dict[str, Any]]:
    """bank at the start; transfers to billing (in r1), support (r2) and desk (r3)."""
    made = {name: agent(name) for name in ("bank", "billing", "support", "desk")}
    offers = Offers(*made["bank"])
    offers.take(*made["bank"], keep_for=None, how="switch")  # the session's start: switch 1
    for response, name in (("r1", "billing"), ("r2", "support"), ("r3", "desk")):
        offers.take(*made[name], keep_for=response, how="switch")
    return offers, made


def test_each_transfers_response_keeps_its_leaving_agent() -> None:
    offers, made = offers_after_three_transfers()
    assert offers.switches == 4
    assert [offers.of(r)[0] for r in ("r1", "r2", "r3", "r4", None)] == [
        made[n][0] for n in ("bank", "billing", "support", "desk", "desk")
    ]


def test_taken_back_only_what_later_transfers_kept_goes() -> None:
    offers, made = offers_after_three_transfers()
    offers.take(*made["billing"], keep_for=None, how="back", back_to=2)  # r1's switch taken
    assert offers.switches == 4  # a rollback is no switch
    assert [offers.of(r)[0] for r in ("r1", "r2", "r3")] == [
        made[n][0] for n in ("bank", "billing", "billing")
    ]


def test_the_apps_own_switch_keeps_nothing_and_again_keeps_everything() -> None:
    offers, made = offers_after_three_transfers()
    offers.take(*made["desk"], keep_for=None, how="again")  # its MCP tools relisted
    assert offers.switches == 4 and offers.of("r1")[0] is made["bank"][0]
    offers.take(*made["support"], keep_for=None, how="app")
    assert offers.switches == 5
    assert {offers.of(r)[0].name for r in ("r1", "r2", "r3")} == {"support"}


def test_at_most_eight_responses_are_kept_the_oldest_goes() -> None:
    offers = Offers(*agent("a0"))
    for n in range(1, 11):
        offers.take(*agent(f"a{n}"), keep_for=f"r{n}", how="switch")
    assert offers.of("r2")[0].name == "a10"  # gone: the agent now's
    assert [offers.of(f"r{n}")[0].name for n in range(3, 11)] == [f"a{n - 1}" for n in range(3, 11)]


def test_a_kept_response_has_its_leaving_agents_settings_too() -> None:
    """The settings carry the approval policy: a kept response's calls are decided by the
    leaving agent's, never the new one's."""
    offers, made = offers_after_three_transfers()
    assert [offers.of(r)[1] for r in ("r1", "r2", "r3", "r9")] == [
        made[n][1] for n in ("bank", "billing", "support", "desk")
    ]


def test_a_switch_outside_any_response_keeps_nothing() -> None:
    """Eight responses kept; a switch with no response (the start, a relist) pushes none out."""
    offers = Offers(*agent("a0"))
    for n in range(1, 9):
        offers.take(*agent(f"a{n}"), keep_for=f"r{n}", how="switch")
    offers.take(*agent("b"), keep_for=None, how="switch")
    assert [offers.of(f"r{n}")[0].name for n in range(1, 9)] == [f"a{n - 1}" for n in range(1, 9)]

"""``HostedListings`` (sans I/O): a hosted server's listing is of the server the session's
configuration named for its label when it came, and its hints count for that server only. A
listing that comes while a configuration naming another server for the label is on its way
is of no known server (it may be either's): its hints count for none."""

from __future__ import annotations

import rtagents
from rtagents import protocol as p
from rtagents.session.hosted_listings import HostedListings

TRIAGE = rtagents.HostedMCP("docs", server_url="https://triage.example.com/mcp")
BILLING = rtagents.HostedMCP("docs", server_url="https://billing.example.com/mcp")


def agent(hosted: rtagents.HostedMCP) -> rtagents.Agent:
    return rtagents.Agent(name="a", tools=[hosted])


def purge(read_only: bool) -> list[p.McpListedTool]:
    return [p.McpListedTool(name="purge", input_schema={}, annotations={"readOnlyHint": read_only})]


def test_a_listing_counts_for_the_server_it_is_of() -> None:
    listings = HostedListings()
    listings.configuring(agent(TRIAGE))
    listings.configured()
    listings["docs"] = purge(False)
    assert list(listings.listed_by("docs", TRIAGE)) == ["purge"]
    assert listings.listed_by("docs", BILLING) == {}  # another server's word on its tool
    assert listings.listed_by("docs", None) == {}  # (a label the agent does not configure)
    assert listings["docs"] == purge(False)  # session.hosted_tools: what was listed, as it was


def test_a_listing_while_another_server_is_being_configured_counts_for_none() -> None:
    listings = HostedListings()
    listings.configuring(agent(TRIAGE))
    listings.configured()
    listings.configuring(agent(BILLING))  # on its way: a listing now may be either's
    listings["docs"] = purge(True)
    assert listings.listed_by("docs", TRIAGE) == {}
    assert listings.listed_by("docs", BILLING) == {}
    listings.configured()
    listings["docs"] = purge(True)  # billing's own, from its configuration
    assert list(listings.listed_by("docs", BILLING)) == ["purge"]
    assert listings.listed_by("docs", TRIAGE) == {}


def test_the_same_server_configured_again_keeps_its_listing_counting() -> None:
    listings = HostedListings()
    listings.configuring(agent(TRIAGE))
    listings.configured()
    listings.configuring(agent(TRIAGE))  # (an update that changes something else)
    listings["docs"] = purge(True)
    assert list(listings.listed_by("docs", TRIAGE)) == ["purge"]


def test_two_configurations_on_their_way_are_answered_in_order() -> None:
    listings = HostedListings()
    listings.configuring(agent(TRIAGE))
    listings.configuring(agent(BILLING))
    listings.configured()  # triage's taken; billing's still on its way
    listings["docs"] = purge(True)  # triage's server's, or billing's: not known
    assert listings.listed_by("docs", TRIAGE) == {} and listings.listed_by("docs", BILLING) == {}
    listings.configured()
    listings["docs"] = purge(False)
    assert list(listings.listed_by("docs", BILLING)) == ["purge"]


def test_a_calls_session_reports_the_servers_its_accept_gave() -> None:
    """A sideband's session was configured by the call's accept: a listing that comes before
    the sideband's own first configuration is answered is of the server both name."""
    listings = HostedListings()
    listings.reported([TRIAGE.definition()])
    listings.configuring(agent(TRIAGE))
    listings["docs"] = purge(True)
    assert list(listings.listed_by("docs", TRIAGE)) == ["purge"]
    other = HostedListings()
    other.reported([BILLING.definition()])  # the accept named another server for the label
    other.configuring(agent(TRIAGE))
    other["docs"] = purge(True)
    assert other.listed_by("docs", TRIAGE) == {}

"""The records ``live_stream.DelegatedWork`` keeps of GPT-Live's delegated work (one per
delegation, one per response begun: the latest few of each), and what a response has in its
context by them (``has_outputs``)."""

from __future__ import annotations

from typing import NamedTuple


class Delegation:
    """A delegation to the backend, kept across drops and its responses' ends: the user's
    turn it answers (the latest when it was announced), its latest response as named here
    (``None``: none known yet), whether that one was seen begun, and the last request of
    ours its responses' events named (a response naming another is a new one)."""

    __slots__ = ("begun", "ref", "response", "turn")

    def __init__(self, turn: str, response: str | None) -> None:
        self.turn, self.response = turn, response
        self.begun = False
        self.ref: str | None = None


class Begun(NamedTuple):
    """A response begun: the user turn it answers (``DelegatedWork.stop_turn``), its
    delegation, and whether it goes on with that delegation for a request of ours (it names
    the request, after an earlier response of the delegation): it has that delegation's
    outputs only (``Seen.sees``). The first of a delegation is a new backend
    response, with the whole conversation."""

    turn: str
    delegation: str | None
    goes_on: bool
    named: bool = False  # its first event named a request of ours


UNKNOWN_RESPONSE = Begun("", None, False)
"""One no longer kept (or never begun)."""


def has_outputs(mine: Begun | None, theirs: Begun | None, naming: bool) -> bool | None:
    """Whether a response (``mine``) has the outputs of another's calls (``theirs``) in its
    context, where ``naming``: the server names our requests (GPT-Live does, when given
    ids). One that goes on with its delegation for a request of ours has that delegation's
    only, and so does a server's own (one naming no request, where the server names ours)
    of another delegation's. Of a new backend response for our request, or any from a
    server that never names our requests, it is not known (``None``: taken to have them)."""
    if mine is None:
        return None
    if mine.goes_on:  # (one no longer kept is an older turn's, of another delegation's)
        return theirs is not None and mine.delegation == theirs.delegation
    if theirs is None:
        return None
    if mine.named or not naming or mine.delegation == theirs.delegation:
        return None
    return False


class Seen:
    """What ``has_outputs`` reads: the responses begun (the latest, ``Begun`` by id), and
    whether the server names our requests. A record of its own, shared by ``DelegatedWork``
    and its batches (``Batches.sees`` is this ``sees``): a method of the work there would
    close a reference cycle (work, orchestrator, batches, work), and a session in one is not
    freed by reference counting alone (deployment.md)."""

    __slots__ = ("begun", "naming")

    def __init__(self) -> None:
        self.begun: dict[str, Begun] = {}
        self.naming = False  # (GPT-Live names them, when given ids)

    def sees(self, response_id: str, other: str) -> bool | None:
        """Whether ``response_id`` has the outputs of ``other``'s calls."""
        return has_outputs(self.begun.get(response_id), self.begun.get(other), self.naming)

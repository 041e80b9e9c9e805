"""The records ``live_stream.DelegatedWork`` keeps of GPT-Live's delegated work: one per
delegation, one per response begun (the latest few of each)."""

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
    outputs only (``DelegatedWork.sees``). The first of a delegation is a new backend
    response, with the whole conversation."""

    turn: str
    delegation: str | None
    goes_on: bool


UNKNOWN_RESPONSE = Begun("", None, False)
"""One no longer kept (or never begun)."""

"""The session's two state machines, sans I/O, each with its every transition in one table.

- ``Link``: the connection, across drops. Who reads it: the runner (may it send now? is the
  session over?), the reconnect step (is this close one to reconnect after?) and the
  orchestrator (may it ask for a response?).
- ``Ask``: the app's own ``response.create`` (``session.create_response``), kept until its
  response has output, so that a drop before that asks again on the next connection.

Every (state, input) pair is in its table, so nothing is decided by a missing entry; a pair
that is news of an old connection (a drop already known, a replay of a closed session) maps
to the same state with no effects. Modelled on h11's ``_state.py``.
"""

from __future__ import annotations

from enum import Enum


class Link(Enum):
    ONLINE = "online"
    EXPIRED = "expired"
    """The server said the session hit its time cap: the close that follows is reconnected
    after, however clean."""
    HANDING_OVER = "handing over"
    """We are closing the connection to move to a fresh session before the time cap."""
    OFFLINE = "offline"
    """The connection dropped: calls go on, sends wait for the next connection."""
    REPLAYING = "replaying"
    """A new connection, configured, is given the conversation back: other sends wait."""
    CLOSED = "closed"


class LinkInput(Enum):
    EXPIRED = "the server says the session expired"
    HAND_OVER = "a handover before the time cap starts"
    DROPPED = "the connection was lost"
    REOPENED = "a new connection is configured"
    REPLAYED = "the new connection has the conversation back"
    CLOSE = "the session ends"


class LinkEffect(Enum):
    FORGET = "every response of the connection is over; pending requests get no reply"
    ASK_OWED = "ask for what is still owed (the app's request, a batch's answer)"


_L, _I, _E = Link, LinkInput, LinkEffect
_NONE: tuple[LinkEffect, ...] = ()
_FORGET = (_E.FORGET,)

LINK_TABLE: dict[tuple[Link, LinkInput], tuple[Link, tuple[LinkEffect, ...]]] = {
    (_L.ONLINE, _I.EXPIRED): (_L.EXPIRED, _NONE),
    (_L.ONLINE, _I.HAND_OVER): (_L.HANDING_OVER, _NONE),
    (_L.ONLINE, _I.DROPPED): (_L.OFFLINE, _FORGET),
    (_L.ONLINE, _I.REOPENED): (_L.ONLINE, _NONE),  # no drop known: nothing to replay
    (_L.ONLINE, _I.REPLAYED): (_L.ONLINE, _NONE),
    (_L.ONLINE, _I.CLOSE): (_L.CLOSED, _NONE),
    (_L.EXPIRED, _I.EXPIRED): (_L.EXPIRED, _NONE),
    (_L.EXPIRED, _I.HAND_OVER): (_L.EXPIRED, _NONE),  # the cap came first: same way out
    (_L.EXPIRED, _I.DROPPED): (_L.OFFLINE, _FORGET),
    (_L.EXPIRED, _I.REOPENED): (_L.EXPIRED, _NONE),
    (_L.EXPIRED, _I.REPLAYED): (_L.EXPIRED, _NONE),
    (_L.EXPIRED, _I.CLOSE): (_L.CLOSED, _NONE),
    (_L.HANDING_OVER, _I.EXPIRED): (_L.HANDING_OVER, _NONE),
    (_L.HANDING_OVER, _I.HAND_OVER): (_L.HANDING_OVER, _NONE),
    (_L.HANDING_OVER, _I.DROPPED): (_L.OFFLINE, _FORGET),
    (_L.HANDING_OVER, _I.REOPENED): (_L.HANDING_OVER, _NONE),
    (_L.HANDING_OVER, _I.REPLAYED): (_L.HANDING_OVER, _NONE),
    (_L.HANDING_OVER, _I.CLOSE): (_L.CLOSED, _NONE),
    (_L.OFFLINE, _I.EXPIRED): (_L.OFFLINE, _NONE),  # an old connection's news
    (_L.OFFLINE, _I.HAND_OVER): (_L.OFFLINE, _NONE),
    (_L.OFFLINE, _I.DROPPED): (_L.OFFLINE, _NONE),  # already known
    (_L.OFFLINE, _I.REOPENED): (_L.REPLAYING, _NONE),
    (_L.OFFLINE, _I.REPLAYED): (_L.OFFLINE, _NONE),
    (_L.OFFLINE, _I.CLOSE): (_L.CLOSED, _NONE),
    (_L.REPLAYING, _I.EXPIRED): (_L.EXPIRED, _NONE),
    (_L.REPLAYING, _I.HAND_OVER): (_L.REPLAYING, _NONE),
    (_L.REPLAYING, _I.DROPPED): (_L.OFFLINE, _FORGET),
    (_L.REPLAYING, _I.REOPENED): (_L.REPLAYING, _NONE),
    (_L.REPLAYING, _I.REPLAYED): (_L.ONLINE, (_E.ASK_OWED,)),
    (_L.REPLAYING, _I.CLOSE): (_L.CLOSED, _NONE),
    **{(_L.CLOSED, i): (_L.CLOSED, _NONE) for i in LinkInput},  # over for good
}

# The states in which the connection is up: a response may be asked for, a send goes out.
# A tuple: ``in`` finds a member by identity, where a set would hash it (Enum's hash is
# Python code, and ``up`` is asked at every decision to ask for a response).
UP = (Link.ONLINE, Link.EXPIRED, Link.HANDING_OVER)
# A close in these is expected, yet reconnected after (the session's time cap).
RENEWING = frozenset({Link.EXPIRED, Link.HANDING_OVER})


CLOSED_BY_CLIENT = "closed by the client"
"""The reason a session gives when this process closed it (``close``, ``drain``)."""


class Connection:
    """The connection's state, and what came with its last transitions."""

    # Class attributes until set, as every per-session record's scalars (performance.md,
    # "Density"): an idle session's connection state holds nothing of its own.
    state = Link.ONLINE
    epoch = 0
    """Connections that began a replay so far: a send held through a replay knows from it
    whether its connection is still the current one."""
    planned = False
    """Whether the last drop was a handover we started (see ``Reconnect``)."""
    closed_reason: str | None = None
    dropped = False
    """The session ended without the app asking (a drop it could not recover from)."""
    cut_short = False
    """The session ended while its connection was down (the app's close, say)."""

    def apply(self, event: LinkInput) -> tuple[LinkEffect, ...]:
        before = self.state
        self.state, effects = LINK_TABLE[before, event]
        if event is LinkInput.DROPPED and before is not self.state:
            self.planned = before is Link.HANDING_OVER
        elif event is LinkInput.REOPENED and before is not self.state:
            self.epoch += 1
        return effects

    def close(self, reason: str, *, error: bool) -> bool:
        """The session ends with ``reason``: False if it had ended already."""
        if self.state is Link.CLOSED:
            return False
        # Closed while down: what waited for the next connection never reaches a server.
        self.cut_short = self.state in (Link.OFFLINE, Link.REPLAYING)
        self.apply(LinkInput.CLOSE)
        self.closed_reason, self.dropped = reason, error
        return True

    @property
    def up(self) -> bool:
        return self.state in UP

    def current(self, epoch: int) -> bool:
        """Whether the connection of ``epoch`` is still the one being set up or up."""
        return epoch == self.epoch and (self.state is Link.REPLAYING or self.state in UP)


class Asked(Enum):
    NONE = "no request of the app's"
    HELD = "asked, to be sent once no response is active"
    SENT = "sent on this connection, not answered yet"
    ANSWERING = "its response was created, and has no output yet"


class AskInput(Enum):
    ASK = "the app asks for a response"
    SEND = "the request goes out"
    CREATED = "its response was created"
    BUSY = "refused: another response is active"
    REFUSED = "refused for another reason"
    OUTPUT = "its response has output"
    DROPPED = "the connection was lost"


_A, _K = Asked, AskInput

ASK_TABLE: dict[tuple[Asked, AskInput], Asked] = {
    (_A.NONE, _K.ASK): _A.HELD,
    (_A.NONE, _K.SEND): _A.NONE,
    (_A.NONE, _K.CREATED): _A.NONE,
    (_A.NONE, _K.BUSY): _A.NONE,
    (_A.NONE, _K.REFUSED): _A.NONE,
    (_A.NONE, _K.OUTPUT): _A.NONE,
    (_A.NONE, _K.DROPPED): _A.NONE,
    (_A.HELD, _K.ASK): _A.HELD,  # the newer request replaces it
    (_A.HELD, _K.SEND): _A.SENT,
    (_A.HELD, _K.CREATED): _A.HELD,  # a response of someone else's
    (_A.HELD, _K.BUSY): _A.HELD,
    (_A.HELD, _K.REFUSED): _A.HELD,
    (_A.HELD, _K.OUTPUT): _A.HELD,
    (_A.HELD, _K.DROPPED): _A.HELD,
    (_A.SENT, _K.ASK): _A.HELD,  # the newer one goes when the older one's response is done
    (_A.SENT, _K.SEND): _A.SENT,
    (_A.SENT, _K.CREATED): _A.ANSWERING,
    (_A.SENT, _K.BUSY): _A.HELD,  # asked again when that response is done
    (_A.SENT, _K.REFUSED): _A.NONE,
    (_A.SENT, _K.OUTPUT): _A.SENT,
    (_A.SENT, _K.DROPPED): _A.HELD,  # asked again on the next connection
    (_A.ANSWERING, _K.ASK): _A.HELD,
    (_A.ANSWERING, _K.SEND): _A.ANSWERING,
    (_A.ANSWERING, _K.CREATED): _A.ANSWERING,
    (_A.ANSWERING, _K.BUSY): _A.HELD,  # the response taken for its answer was another's
    (_A.ANSWERING, _K.REFUSED): _A.ANSWERING,
    (_A.ANSWERING, _K.OUTPUT): _A.NONE,  # answered: from here its batch goes on
    (_A.ANSWERING, _K.DROPPED): _A.HELD,
}


class AppAsk:
    """The app's own request for a response, and what goes with its state."""

    # Class attributes until set (performance.md, "Density").
    state = Asked.NONE
    params: object = None
    """The request's parameters, as the wire adapter reads them (opaque here)."""
    ref: str | None = None  # the id it was last sent with
    response_id: str | None = None  # the response answering it
    answered: tuple[str | None, object] | None = None  # (ref, params), see lost

    def apply(self, event: AskInput) -> Asked:
        answered = self.state is Asked.ANSWERING and event is AskInput.OUTPUT
        self.answered = (self.ref, self.params) if answered else None
        self.state = ASK_TABLE[self.state, event]
        if self.state is not Asked.ANSWERING:
            self.response_id = None
        if self.state is Asked.NONE:
            self.params = self.ref = None
        return self.state

    def lost(self, ref: str) -> bool:
        """A busy refusal named ``ref``: if it is this request's, it never ran (a response
        the server began itself was taken for its answer, which may have had output since),
        and it is held again, with its parameters. Whether it was."""
        if self.state is Asked.ANSWERING and ref == self.ref:
            self.apply(AskInput.BUSY)
            return True
        if self.state is Asked.NONE and self.answered is not None and self.answered[0] == ref:
            self.ref, self.params = self.answered
            self.state, self.answered = Asked.HELD, None
            return True
        return False

"""Calls whose audio goes to OpenAI (SIP or a browser's WebRTC) and whose agent's tools run
here, on a sideband session attached to the call by its id: the ``CallKind`` of a SIP call,
a browser's call and a call taken over from a replica that died; on the Realtime API, or
on GPT-Live (a SIP call's ``live_...`` session, its sideband at ``.../{id}/attach``)."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Any, ClassVar, Literal

import anyio

from ..agent import Agent
from ..session.connect import connect
from ..session.live_config import sip_session
from ..session.transport import HandshakeRefused
from ..tracing.calls import created_session
from .control import (
    HUNG_UP,
    TRANSFERRED,
    CallHandle,
    CallRecord,
    IncomingCall,
    Reject,
    SessionLost,
    browser_cannot_refer,
    enter_call,
)
from .rest import CallsAPI


class SidebandCall:
    """A call that is up already (a page made it, or a replica that died accepted it): it
    is ended rather than rejected, and its listing is what a router decides it from.

    ``up`` is set once the sideband has connected and configured its session, or failed to:
    then ``refused`` is why (a ``HandshakeRefused`` with status 404: the API has no such
    call, or it has ended)."""

    API: ClassVar[Literal["realtime", "live"]] = "realtime"
    """The API of the call's session (and of its sideband)."""
    up_already = True  # (a ringing call's kind is not)

    def __init__(self, call: IncomingCall, api: CallsAPI, url: str, api_key: str | None) -> None:
        self.call = call
        self.api = api
        self.url = url
        self.api_key = api_key
        self.up = anyio.Event()
        self.refused: Exception | None = None
        self._endings: list[_Ending] = []  # the app's hang-ups and transfers, as asked

    @property
    def gone(self) -> bool:
        """The API said the call does not exist (or no longer does)."""
        return isinstance(self.refused, HandshakeRefused) and self.refused.status == 404

    def listing(self) -> dict[str, Any]:
        listing = {"source": self.call.source, "sip_headers": dict(self.call.sip_headers)}
        return listing | {"api": "live"} if self.API == "live" else listing

    async def accept(self, agent: Agent) -> None:
        pass  # answered before this process had it

    async def reject(self, decision: Reject) -> None:
        await self.hang_up()

    async def hang_up(self) -> None:
        if not self.gone:  # a call the API does not have is not hung up
            await self.api.hangup(self.call.call_id)

    async def connect(self, record: CallRecord, agent: Agent) -> str | None:
        try:
            return await self._connect(record, agent)
        except Exception as exc:
            if not self.up.is_set():
                self.refused = exc
            raise
        finally:
            self.up.set()

    async def _connect(self, record: CallRecord, agent: Agent) -> str | None:
        call_id = self.call.call_id
        source = self.call.source  # (a browser's call: no SIP REFER)
        refer = browser_cannot_refer if source == "browser" else self._transfer_here
        record.handle = CallHandle(call_id, self._hang_up_here, refer, source=source)
        enter_call(record.handle)
        # Nothing here reads the call's events, and nobody else can: no buffer is kept for
        # them (handlers the app adds to ``record.session`` still run), and this task sleeps
        # until the session ends rather than waking for each event of every call.
        async with connect(
            agent,
            url=self.url,
            api_key=self.api_key,
            call_id=call_id,
            api=self.API,
            max_buffered_events=0,
            page_client=source == "browser",  # (the page could approve: see session.page)
        ) as s:
            await record.opened(s)
            self.up.set()
            async for _ in s:  # with no buffer: returns once the session has ended
                pass
        ended = await self.ending()
        if ended is not None:
            # However the sideband then ended (the server cut it, a reconnect the API
            # refused as the call is gone, a drain that closed it meanwhile), that is the
            # app's end of the call.
            return ended
        if s.closed_with_error:
            # The call cannot go on without its tools: it fails, and is hung up.
            raise SessionLost(f"the call's session ended: {s.closed_reason}")
        return s.closed_reason

    async def _hang_up_here(self) -> None:
        await self._end_here(HUNG_UP, self.api.hangup(self.call.call_id))

    async def _transfer_here(self, target_uri: str) -> None:
        await self._end_here(TRANSFERRED, self.api.refer(self.call.call_id, target_uri))

    async def _end_here(self, why: str, request: Awaitable[None]) -> None:
        # Known before the request is sent: the server may cut the sideband before it
        # answers.
        ending = _Ending(why)
        self._endings.append(ending)
        try:
            await request
            ending.taken_at = time.monotonic()
        finally:
            ending.settled.set()

    async def ending(self) -> str | None:
        """Why the app ended the call, when that is what ended its sideband (or what a
        shutdown that cut the call short finds): the API took the request at most
        ``ENDING_GRACE`` ago, or takes it now (a request still out is awaited, as long). A
        request that failed, or was taken long before, ended nothing: the call then fails,
        and is hung up. Of several (``end_call`` and a supervisor's hang-up at once), the
        last one taken is the end: one refused as the call was already over counts not."""
        with anyio.move_on_after(ENDING_GRACE):
            for ending in self._endings:
                await ending.settled.wait()
        taken = [(e.taken_at, e.why) for e in self._endings if e.taken_at is not None]
        if not taken:
            return None
        at, why = max(taken)
        return why if time.monotonic() - at <= ENDING_GRACE else None


ENDING_GRACE = 30.0
"""Seconds after the API took the app's hang-up or transfer in which the sideband's end is
that request's doing. (A transfer may keep the call up until its target answers; one that
fails then leaves the call up, and a later failure of the sideband is a failure.)"""


class _Ending:
    """The app's request to end a call (hang up, transfer), from when it is sent."""

    __slots__ = ("settled", "taken_at", "why")

    def __init__(self, why: str) -> None:
        self.why = why
        self.settled = anyio.Event()  # answered, either way
        self.taken_at: float | None = None  # when the API took it (time.monotonic)


class RingingCall(SidebandCall):
    """A SIP call that rings (``realtime.call.incoming``): accepted with the agent's
    configuration, or rejected with a SIP status, through the calls API."""

    up_already = False

    async def accept(self, agent: Agent) -> None:
        await self.api.accept(self.call.call_id, created_session(agent))

    async def reject(self, decision: Reject) -> None:
        await self.api.reject(self.call.call_id, decision.status_code)


class LiveSidebandCall(SidebandCall):
    """A GPT-Live call that is up already (taken over from a replica that died): its
    sideband attaches to the session (``url`` is GPT-Live's, ``.../v1/live/sessions``)."""

    API = "live"


class LiveRingingCall(LiveSidebandCall):
    """A SIP call GPT-Live offers (``live.transport.incoming``): accepted with the agent's
    Live configuration (``live_config.sip_session``), or rejected, through the Live REST
    API; its tools run on a sideband configured with ``session.update``."""

    up_already = False

    async def accept(self, agent: Agent) -> None:
        await self.api.accept(self.call.call_id, sip_session(agent))

    async def reject(self, decision: Reject) -> None:
        await self.api.reject(self.call.call_id, decision.status_code)


class Reach:
    """How this process reaches the API for its calls: the REST client, each API's websocket
    URL and the key; and the kind of call each way a call comes is."""

    __slots__ = ("api", "api_key", "live_url", "url")

    def __init__(self, api: CallsAPI, api_key: str | None) -> None:
        self.api, self.api_key = api, api_key
        self.url, self.live_url = api.websocket_url(), api.websocket_url(live=True)

    def call(self, call: IncomingCall, *, live: bool, ringing: bool) -> SidebandCall:
        """A ringing call (to accept or reject) or one up already (to attach to), on
        GPT-Live (``live``) or the Realtime API."""
        kind = (
            (LiveRingingCall if ringing else LiveSidebandCall)
            if live
            else (RingingCall if ringing else SidebandCall)
        )
        return kind(call, self.api, self.live_url if live else self.url, self.api_key)

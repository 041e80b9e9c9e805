"""When a call's claim is released (marked ended) and when it is left for another replica:
the rule in ``CallLifecycle._run``, checked on the lifecycle itself with a registry that
notes what it is told. (The Redis side of the same rule is in ``test_replicas``.)"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls import IncomingCall, LocalRegistry
from rtagents.calls.control import CallRecord, Reject
from rtagents.calls.lifecycle import CallLifecycle
from rtagents.calls.sideband import LiveRingingCall, LiveSidebandCall, RingingCall, SidebandCall
from rtagents.calls.twilio_stream import TwilioCall

pytestmark = pytest.mark.anyio


class NotingRegistry(LocalRegistry):
    """The default registry, noting each call it releases."""

    def __init__(self, *, other_replicas: bool = False) -> None:
        super().__init__()
        self.released: list[str] = []
        self.handed_over: list[str] = []
        self.other_replicas = other_replicas  # whether another process could take a call

    async def release(self, call_id: str) -> None:
        self.released.append(call_id)
        await super().release(call_id)

    async def hand_over(self, call_id: str) -> bool:
        if self.other_replicas:
            self.handed_over.append(call_id)
        return self.other_replicas


class OpenCall:
    """A call that is up until its task is cancelled (the phone network's side of it is
    what this test cannot have: only the lifecycle's rule is under test)."""

    def __init__(self, *, up_already: bool = False) -> None:
        self.up_already = up_already
        self.connected = anyio.Event()
        self.hung_up = False
        self.rejected = False

    def listing(self) -> dict[str, Any]:
        return {"source": "sip", "sip_headers": {}}

    async def accept(self, agent: rtagents.Agent) -> None:
        pass

    async def reject(self, decision: Reject) -> None:
        self.rejected = True

    async def hang_up(self) -> None:
        self.hung_up = True

    async def ending(self) -> str | None:
        return None

    async def connect(self, record: CallRecord, agent: rtagents.Agent) -> str | None:
        self.connected.set()
        await anyio.sleep_forever()
        return None


def lifecycle(*, other_replicas: bool = False) -> tuple[CallLifecycle, NotingRegistry]:
    registry = NotingRegistry(other_replicas=other_replicas)
    return CallLifecycle(lambda call: rtagents.Agent(), registry, keep_ended=10), registry


async def cut_by_the_apps_group(
    *, forgotten_first: bool, kind: OpenCall | None = None, other_replicas: bool = True
) -> tuple[CallLifecycle, NotingRegistry]:
    """A call started in the app's task group, which is then cancelled mid-call (with
    ``forgotten_first``, as a ``CallServer``'s shutdown does: ``tg = None`` before)."""
    calls, registry = lifecycle(other_replicas=other_replicas)
    kind = kind or OpenCall()
    async with anyio.create_task_group() as app:
        calls.tg = app
        calls.start(IncomingCall("rtc_1"), kind)
        await kind.connected.wait()
        if forgotten_first:
            calls.tg = None
        app.cancel_scope.cancel()
    return calls, registry


async def test_a_call_cancelled_by_its_own_caller_is_released() -> None:
    """A call run in a task of its own (a Twilio stream's handler) whose task is cancelled,
    the app's task group going on: the call is over for this process, so its claim is
    released, never renewed for the replica's life."""
    calls, registry = lifecycle()
    kind = OpenCall()
    async with anyio.create_task_group() as app:
        calls.tg = app
        async with anyio.create_task_group() as handler:
            handler.start_soon(calls.run, IncomingCall("CA-1", source="twilio"), kind)
            await kind.connected.wait()
            handler.cancel_scope.cancel()
        assert registry.released == ["CA-1"]
        assert not app.cancel_scope.cancel_called
    assert not kind.hung_up


async def test_a_call_cut_by_the_apps_teardown_is_handed_over() -> None:
    """The app's own task group cancelled (a replica torn down without a drain): the call
    did not end, and its claim is given back, not released, so that another replica takes
    it over."""
    kind = OpenCall()
    calls, registry = await cut_by_the_apps_group(forgotten_first=False, kind=kind)
    assert registry.released == []
    assert registry.handed_over == ["rtc_1"]
    assert calls.calls["rtc_1"].state == "moved"
    assert not kind.hung_up


async def test_a_call_cut_by_the_apps_teardown_with_no_other_replica_is_hung_up() -> None:
    """The same where no other process can take the call: it is hung up, never left up
    without its tools, and it ended."""
    kind = OpenCall()
    calls, registry = await cut_by_the_apps_group(
        forgotten_first=False, kind=kind, other_replicas=False
    )
    assert kind.hung_up
    assert calls.calls["rtc_1"].state == "ended"
    assert registry.released == ["rtc_1"]


async def test_a_call_cut_by_the_apps_shutdown_is_handed_over() -> None:
    """The same at a ``CallServer``'s shutdown, which stops naming its task group
    (``tg = None``) before it cancels it: the call still knows the group it runs in."""
    calls, registry = await cut_by_the_apps_group(forgotten_first=True)
    assert registry.released == []
    assert registry.handed_over == ["rtc_1"]


async def cut_short_while_routed(
    call_id: str, *, up_already: bool
) -> tuple[CallLifecycle, NotingRegistry, OpenCall]:
    """A call whose router never answers, cut short by the app's task group meanwhile (a
    registry that can hand calls over)."""
    registry = NotingRegistry(other_replicas=True)
    routing = anyio.Event()

    async def route(call: IncomingCall) -> rtagents.Agent:
        routing.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    calls = CallLifecycle(route, registry, keep_ended=10)
    kind = OpenCall(up_already=up_already)
    async with anyio.create_task_group() as app:
        calls.tg = app
        calls.start(IncomingCall(call_id), kind)
        await routing.wait()
        app.cancel_scope.cancel()
    return calls, registry, kind


async def test_a_call_answered_elsewhere_cut_short_while_routed_is_handed_over() -> None:
    """A call adopted from a replica that died (answered before this process had it) is
    cut short while its router decides again: it is up, so it is handed over, never
    rejected (which would hang it up) nor released."""
    calls, registry, kind = await cut_short_while_routed("rtc_2", up_already=True)
    assert registry.handed_over == ["rtc_2"]
    assert registry.released == []
    assert not kind.rejected and not kind.hung_up
    assert calls.calls["rtc_2"].state == "moved"


async def test_a_call_still_routed_here_cut_short_is_rejected_and_released() -> None:
    """The same call, ringing here (its webhook taken by this process): rejected, and its
    claim released, as it ended."""
    calls, registry, kind = await cut_short_while_routed("rtc_3", up_already=False)
    assert kind.rejected and not kind.hung_up
    assert registry.handed_over == []
    assert registry.released == ["rtc_3"]
    assert calls.calls["rtc_3"].state == "rejected"


async def test_a_call_cancelled_by_a_scope_around_the_apps_group_is_handed_over() -> None:
    """The cancellation comes from a scope around the app's task group (another of the
    app's tasks failed, say), not from the group itself: the call is torn down all the
    same, and handed over, never released (which would end it in Redis)."""
    calls, registry = lifecycle(other_replicas=True)
    kind = OpenCall()
    async with anyio.create_task_group() as outer:
        async with anyio.create_task_group() as app:
            calls.tg = app
            calls.start(IncomingCall("rtc_4"), kind)
            await kind.connected.wait()
            outer.cancel_scope.cancel()
    assert registry.handed_over == ["rtc_4"]
    assert registry.released == []
    assert calls.calls["rtc_4"].state == "moved"


@pytest.mark.parametrize(
    ("kind", "up"),
    [
        (SidebandCall, True),  # a browser's call, or one adopted: up before this process
        (LiveSidebandCall, True),
        (RingingCall, False),  # offered by its webhook: answered, or not, here
        (LiveRingingCall, False),
        (TwilioCall, True),  # a stream is up once it starts
    ],
)
def test_which_kinds_of_call_were_up_before_this_process_had_them(
    kind: type[Any], up: bool
) -> None:
    """What the shutdown reads to choose between rejecting a call it cut short (see
    above) and handing it over or hanging it up."""
    assert kind.up_already is up

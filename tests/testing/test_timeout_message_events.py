"""A ``run_agent`` that times out "says what it waited for" (docs/testing.md; commit
0d9db12): with no approval pending and no call running, the message ends with "(the last
events were ...)" or "(no events yet)".

``run_agent`` appends the events ``session.ask`` read only once ``ask`` returns, and the
message is made from ``record.events``: so a run that times out in its first answer always
says "(no events yet)", whatever the session went through. Here every connection drops as
its first response starts: the session reconnects again and again (the cause the test's
author needs to see), and the message says nothing happened at all.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import DropConnection
from rtagents.testing import run_agent

pytestmark = pytest.mark.anyio

agent = rtagents.Agent(name="shop", output_modalities=["text"])


async def test_a_timed_out_run_names_the_events_it_saw() -> None:
    drops = [DropConnection(after="response.created", code=1011)]
    with anyio.fail_after(10), pytest.raises(TimeoutError) as info:
        await run_agent(agent, ["Hello."], "Hi", within=1.5, faults=drops)
    message = str(info.value)
    assert "no answer within 1.5 s" in message
    assert "no events yet" not in message, message

"""A SIP call accepted with the openai Node SDK keeps the model it was accepted with.

``client.realtime.calls.accept(callId, {type: 'realtime', model, ...})`` is how the Node
SDK (and the Python one) answers a call: the body is a ``RealtimeSessionCreateRequest``,
whose ``model`` chooses the model the call runs on. The sideband (``OpenAIRealtimeWebSocket
({callID})``) cannot say a model: the SDK's URL builder takes exactly one of ``model`` or
``callID``. So the accept is the only place the model is given.

The emulator drops the accept's ``model`` (``CallDesk._accept`` keeps the body less
``type`` and ``model``), and the sideband session starts as ``gpt-realtime`` whatever was
asked. The sideband's ``session.created`` then lies about the model, and an app that sends
the same session config in its ``session.update`` (one config for accept and update, as is
common) is refused with ``invalid_value`` "The model cannot be changed during a session.":
code that works against the real API fails offline.
"""

from __future__ import annotations

import json
import os

import anyio
import pytest

from rtagents.emulator import Emulator
from tests.calls.harness import SECRET
from tests.emulator.test_node_client import HERE, KEY, node_ready

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("node")]


async def test_the_sideband_runs_on_the_model_the_call_was_accepted_with() -> None:
    command = [*node_ready()[:-1], "sip_accept_model.mjs"]
    async with Emulator(tls=True, api_key=KEY) as emu:
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(emu.certificate)}
        args = [emu.http_url, KEY, call_id, "gpt-realtime-mini"]
        with anyio.fail_after(30):
            done = await anyio.run_process([*command, *args], cwd=HERE, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert result == {
        "created_model": "gpt-realtime-mini",
        "update": {"model": "gpt-realtime-mini"},
    }, result

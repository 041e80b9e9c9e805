"""An emulator started with an API key answers nothing without it: every route on its one
port (the websocket, the calls REST surface, client secrets, the simulated phone) says 401
with the API's error body, and does nothing. All over real sockets, under uvicorn."""

from __future__ import annotations

import json
import os
import sys

import anyio
import httpx2
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import serve_asgi

pytestmark = pytest.mark.anyio
KEY = "sk-emulator-key-0123456789"
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="
REST = [
    ("POST", "/emulator/calls", {"webhook_url": "http://127.0.0.1:9/x", "webhook_secret": SECRET}),
    ("GET", "/emulator/calls/{call_id}", None),
    ("POST", "/realtime/calls/{call_id}/accept", {"type": "realtime"}),
    ("POST", "/realtime/calls/{call_id}/reject", {"status_code": 486}),
    ("POST", "/realtime/calls/{call_id}/refer", {"target_uri": "tel:+15550000"}),
    ("POST", "/realtime/calls/{call_id}/hangup", None),
    ("POST", "/realtime/client_secrets", {"session": {"type": "realtime"}}),
    ("GET", "/no/such/route", None),
]


def refused(reply: httpx2.Response) -> bool:
    body = reply.json()
    error = body["error"]
    return (
        reply.status_code == 401
        and error["type"] == "invalid_request_error"
        and (set(error) >= {"message", "type", "code", "param"})
    )


@pytest.mark.parametrize("auth", [None, "Bearer sk-wrong", "Bearer " + KEY[:-1], "Basic x"])
async def test_every_rest_route_refuses_a_missing_or_wrong_key(auth: str | None) -> None:
    async with Emulator(api_key=KEY) as emu:
        call_id = emu.place_call("http://127.0.0.1:9/none", SECRET)
        headers = {"Authorization": auth} if auth else {}
        async with httpx2.AsyncClient(headers=headers) as client:
            for method, path, body in REST:
                url = emu.http_url + path.format(call_id=call_id)
                reply = await client.request(method, url, json=body)
                assert refused(reply), (path, reply.status_code, reply.text)
                assert KEY not in reply.text
        # Nothing happened: no call placed, the ringing one still rings.
        assert list(emu.desk.calls) == [call_id]
        assert emu.desk.calls[call_id].status == "ringing"
        assert emu.desk.calls[call_id].accept_requests == 0


async def test_the_right_key_opens_every_rest_route() -> None:
    async with Emulator(api_key=KEY) as emu:
        ringing = [emu.place_call("http://127.0.0.1:9/none", SECRET) for _ in range(3)]
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx2.AsyncClient(headers=headers, base_url=emu.http_url) as client:
            placed = await client.post("/emulator/calls", json=REST[0][2])
            assert placed.status_code == 200 and placed.json()["call_id"] in emu.desk.calls
            for call_id, verb, body in [
                (ringing[0], "accept", {"type": "realtime"}),
                (ringing[1], "reject", {"status_code": 486}),
                (ringing[2], "accept", {"type": "realtime"}),
                (ringing[2], "refer", {"target_uri": "tel:+15550000"}),
                (ringing[0], "hangup", None),
            ]:
                reply = await client.post(f"/realtime/calls/{call_id}/{verb}", json=body)
                assert reply.status_code == 200, (verb, reply.text)
            record = await client.get(f"/emulator/calls/{ringing[1]}")
            assert record.json()["status"] == "rejected"
            secret = await client.post("/realtime/client_secrets", json=REST[-2][2])
            assert secret.json()["value"].startswith("ek_")
        assert [emu.desk.calls[c].status for c in ringing] == ["ended", "rejected", "referred"]


async def test_the_websocket_takes_the_key_or_a_live_client_secret_only() -> None:
    async with Emulator(api_key=KEY) as emu:
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx2.AsyncClient(headers=headers) as client:
            minted = await client.post(
                emu.http_url + "/realtime/client_secrets",
                json={"expires_after": {"anchor": "created_at", "seconds": 600}},
            )
            expired = await client.post(
                emu.http_url + "/realtime/client_secrets",
                json={"expires_after": {"anchor": "created_at", "seconds": 10}},
            )
        ephemeral = minted.json()["value"]
        url = emu.url + "?model=gpt-realtime"
        for key in (None, "sk-wrong", "ek_" + "0" * 32, ephemeral[:-1]):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            with pytest.raises(InvalidStatus) as info:
                async with ws_connect(url, additional_headers=headers):
                    pass
            assert info.value.response.status_code == 401
            error = json.loads(info.value.response.body)["error"]
            assert error["type"] == "invalid_request_error"
        # A browser opens a session with its client secret, in the subprotocol.
        browser = ["realtime", f"openai-insecure-api-key.{ephemeral}"]
        async with ws_connect(url, subprotocols=browser) as ws:  # type: ignore[arg-type]
            assert json.loads(await ws.recv())["type"] == "session.created"
        # A client secret is not the server's key: no REST call, no call's sideband.
        call_id = emu.place_call("http://127.0.0.1:9/x", SECRET)
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {ephemeral}"}) as other:
            assert refused(await other.post(f"{emu.http_url}/realtime/calls/{call_id}/accept"))
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}) as client:
            accepted = await client.post(f"{emu.http_url}/realtime/calls/{call_id}/accept")
            assert accepted.status_code == 200
        for key in (ephemeral, "sk-wrong"):
            with pytest.raises(InvalidStatus) as info:
                bearer = {"Authorization": f"Bearer {key}"}
                async with ws_connect(f"{emu.url}?call_id={call_id}", additional_headers=bearer):
                    pass
            assert info.value.response.status_code == 401
        # An expired one opens nothing.
        emu.client_secrets.clock = lambda: 10**12
        stale = ["realtime", f"openai-insecure-api-key.{expired.json()['value']}"]
        with pytest.raises(InvalidStatus):
            async with ws_connect(url, subprotocols=stale):  # type: ignore[arg-type]
                pass
    assert len(emu.connections) == 1


async def test_a_phone_call_runs_end_to_end_with_the_key() -> None:
    """The CallServer (REST and sideband) and ``rtagents call`` pass the key along."""
    model = ScriptedModel([CallFunction("end_call"), "Bye."])
    agent = rtagents.Agent(name="desk", tools=[rtagents.calls.end_call])
    async with Emulator(model=model, api_key=KEY) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key=KEY, base_url=emu.http_url)
        async with serve_asgi(app) as url:
            command = [
                sys.executable, "-m", "rtagents", "call", "--webhook", f"{url}/openai/webhook",
                "--secret", SECRET, "--emulator", emu.http_url, "--say", "Hello?",
            ]  # fmt: skip
            clean = {k: v for k, v in os.environ.items() if not k.endswith("API_KEY")}
            env = {**clean, "RTAGENTS_EMULATOR_API_KEY": KEY}
            done = await anyio.run_process(command, env=env, check=False)
            assert done.returncode == 0, done.stderr.decode()
            call_id = done.stdout.decode().split()[0]
            with anyio.fail_after(10):
                while emu.desk.calls[call_id].status != "ended":
                    await anyio.sleep(0.02)
            assert KEY not in done.stderr.decode() + done.stdout.decode()
            without = await anyio.run_process(command, env=clean, check=False)
            assert without.returncode == 2 and "HTTP 401" in without.stderr.decode()
            assert len(emu.desk.calls) == 1

"""Helpers for the calls tests: signed webhooks, an HTTP server standing in for the REST API
that records every request it gets (to show that a request was never made), a phone call
whose sideband drops while its tool runs, and a relay that slows Redis's replies."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx2
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import rtagents
from rtagents.calls import CallsAPI, CallServer, end_call
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.testing import serve_asgi

SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


def signed(body: str, *, event_id: str = "evt_1") -> dict[str, str]:
    """The headers OpenAI sends with ``body``, signed with ``SECRET``."""
    now = datetime.now(timezone.utc)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(event_id, now, body),
        "content-type": "application/json",
    }


def incoming(call_id: Any) -> str:
    """A ``realtime.call.incoming`` event for ``call_id`` (any JSON value)."""
    event = {
        "id": "evt_1",
        "object": "event",
        "created_at": int(time.time()),
        "type": "realtime.call.incoming",
        "data": {"call_id": call_id, "sip_headers": [{"name": "From", "value": "+1555"}]},
    }
    return json.dumps(event)


@dataclass
class RecordingAPI:
    """Where the requests went: ``(method, path, authorization)`` of each."""

    url: str
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)


@asynccontextmanager
async def recording_api() -> AsyncIterator[RecordingAPI]:
    """A REST API under uvicorn that answers every POST 200 (a client secret for
    ``/v1/realtime/client_secrets``) and records it; ``api.url`` is its ``/v1`` base."""
    seen: list[tuple[str, str, str | None]] = []

    async def anything(request: Request) -> JSONResponse:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1")
        seen.append((request.method, raw_path, request.headers.get("authorization")))
        if request.url.path == "/v1/realtime/client_secrets":
            value = f"ek_recorded{len(seen):04d}"
            return JSONResponse({"value": value, "expires_at": int(time.time()) + 600})
        return JSONResponse({})

    app = Starlette(routes=[Route("/{path:path}", anything, methods=["POST", "GET"])])
    async with serve_asgi(app) as url:
        yield RecordingAPI(f"{url}/v1", seen)


def answer(ctx: ModelContext) -> str:
    """The model's answer after a tool: what the last output said."""
    outputs = [i for i in ctx.items if i.get("type") == "function_call_output"]
    return f"It is {outputs[-1]['output']}."


def weather_then_goodbye() -> ScriptedModel:
    """The model of a weather call: ``get_weather`` for Paris, the answer, then ``end_call``
    and a goodbye."""
    return ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call"), "Bye."]
    )


async def accepted_call(emu: Emulator) -> str:
    """A call the emulator placed and accepted: it stands for a page's WebRTC call."""
    call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
    api = CallsAPI("-", emu.http_url)
    await api.accept(call_id, {"type": "realtime"})
    await api.aclose()
    return call_id


async def wait_for(emu: Emulator, call_id: str, status: str, timeout: float = 10) -> dict[str, Any]:
    """The emulator's record of ``call_id`` once it has ``status``."""
    async with httpx2.AsyncClient() as client:
        with anyio.fail_after(timeout):
            while True:
                url = f"{emu.http_url}/emulator/calls/{call_id}"
                record: dict[str, Any] = (await client.get(url)).json()
                if record["status"] == status:
                    return record
                await anyio.sleep(0.02)


@dataclass
class DroppedSideband:
    """What a phone call whose sideband dropped mid-call left behind."""

    emu: Emulator
    app: CallServer
    call_id: str
    record: dict[str, Any]
    sidebands: list[Any]


async def call_whose_sideband_drops() -> DroppedSideband:
    """A SIP call asking for the weather in Paris whose sideband connection drops while the
    tool runs (the sideband reconnects), then hung up with ``end_call``."""
    emu_box: list[Emulator] = []

    @rtagents.tool
    def get_weather(city: str) -> str:
        """The weather in a city; the sideband drops while it runs."""
        [sideband] = [c for c in emu_box[0].connections if not c.closed.is_set()]
        sideband.drop()
        return f"sunny in {city}"

    model = ScriptedModel(
        [CallFunction("get_weather", {"city": "Paris"}), answer, CallFunction("end_call"), "Bye."]
    )
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    async with Emulator(model=model) as emu:
        emu_box.append(emu)
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = emu.place_call(
                f"{url}/openai/webhook",
                SECRET,
                say=["What's the weather in Paris?", "Thanks, bye."],
            )
            record = await wait_for(emu, call_id, "ended")
        sidebands = list(emu.desk.calls[call_id]._sidebands)
    return DroppedSideband(emu, app, call_id, record, sidebands)


class Relay:
    """A TCP relay in front of a local server (Redis, the emulator's API) whose replies can be
    slowed (``delay`` seconds each) or held (while ``flowing`` is clear). With
    ``hold_websockets=False`` a connection that upgrades to a websocket (a sideband) is
    never held: only the REST API's replies wait. ``serving`` yields its URL, made from
    ``url`` (a template with ``{port}``)."""

    REDIS = "redis://127.0.0.1:{port}/0"
    API = "http://127.0.0.1:{port}/v1"

    def __init__(self, behind: str, url: str = REDIS, *, hold_websockets: bool = True) -> None:
        self.port = int(behind.rsplit(":", 1)[1].split("/")[0])  # (the server's URL)
        self.url = url
        self.hold_websockets = hold_websockets
        self.delay = 0.0
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, slow: bool
    ) -> None:
        with contextlib.suppress(Exception):
            while data := await reader.read(65536):
                if slow:
                    await self.flowing.wait()
                    if self.delay:
                        await asyncio.sleep(self.delay)
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        slow = True
        if not self.hold_websockets:  # (its first bytes say what it is)
            first = await reader.read(65536)
            slow = b"upgrade: websocket" not in first.lower()
            up_writer.write(first)
            await up_writer.drain()
        await asyncio.gather(
            self._pipe(reader, up_writer, slow=False), self._pipe(up_reader, writer, slow=slow)
        )

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        try:
            yield self.url.format(port=server.sockets[0].getsockname()[1])
        finally:
            server.close()


TWILIO_TOKEN = "twilio-auth-token-for-tests"


def twilio_server(emu: Emulator, twilio: Any = None) -> CallServer:
    """A CallServer on ``emu`` serving Twilio streams (``TwilioStreams(auth_token=TWILIO_TOKEN)``
    unless ``twilio`` says otherwise), with an agent that only talks."""
    from rtagents.calls import TwilioStreams

    return CallServer(
        agent=rtagents.Agent(name="phone"),
        webhook_secret=SECRET,
        api_key="sk-x",
        base_url=emu.http_url,
        twilio=twilio or TwilioStreams(auth_token=TWILIO_TOKEN),
    )


@asynccontextmanager
async def twilio_call(twilio: Any = None) -> AsyncIterator[tuple[CallServer, Any]]:
    """A Twilio stream bridged to the emulator, its session up: the server, and Twilio's
    side (``TwilioMediaClient``, marks echoed at once)."""
    from rtagents.testing import TwilioMediaClient

    async with Emulator(model=ScriptedModel([], then="ok")) as emu:
        app = twilio_server(emu, twilio)
        async with serve_asgi(app) as url:
            stream = url.replace("http", "ws", 1) + "/twilio"
            async with TwilioMediaClient(
                stream, auth_token=TWILIO_TOKEN, playback="instant"
            ) as phone:
                with anyio.fail_after(10):
                    while not (phone.call_sid in app.calls and app.calls[phone.call_sid].session):
                        await anyio.sleep(0.01)
                yield app, phone


async def accepted_live_call(emu: Emulator, http: httpx2.AsyncClient) -> tuple[str, str]:
    """A GPT-Live SIP call placed on the emulator (its webhook goes nowhere) and accepted
    over REST: its id, and the URL its sidebands attach at."""
    call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET, api="live")
    accept = f"{emu.http_url}/live/sessions/{call_id}/accept"
    accepted = await http.post(accept, json={"session": {"model": "gpt-live"}})
    assert accepted.status_code == 200, accepted.text
    return call_id, f"{emu.live_url}/{call_id}/attach"


def redis_replica(emu: Emulator, url: str, name: str, prefix: str, lease_s: float) -> CallServer:
    """One replica of a deployment on Redis (at ``url``, keys under ``prefix``): a
    ``CallServer`` answering the emulator's calls, which drains at once."""
    from rtagents.calls.registry_redis import RedisRegistry

    return CallServer(
        agent=rtagents.Agent(name="desk"),
        webhook_secret=SECRET,
        api_key="sk-x",
        base_url=emu.http_url,
        registry=RedisRegistry(url, replica=name, prefix=prefix, lease_s=lease_s),
        drain_timeout=0,
    )

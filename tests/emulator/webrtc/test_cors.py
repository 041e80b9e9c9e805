"""The emulator's CORS preflight allows the headers a page asks for, as api.openai.com does. A
page using OpenAI's Agents SDK for JS (@openai/agents-realtime, OpenAIRealtimeWebRTC.connect)
posts its SDP offer with the headers Content-Type, Authorization and X-OpenAI-Agents-SDK. A
preflight that allowed only Authorization and Content-Type would make the browser refuse to send
the offer, and the page could not call the emulator."""

from __future__ import annotations

import httpx2
import pytest

from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_the_preflight_allows_the_headers_the_agents_sdk_sends() -> None:
    async with Emulator(model=ScriptedModel([])) as emu, httpx2.AsyncClient() as http:
        reply = await http.options(
            f"{emu.http_url}/realtime/calls",
            headers={
                "Origin": "http://127.0.0.1:8000",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type,x-openai-agents-sdk",
            },
        )
    assert reply.status_code in (200, 204)
    allowed = {h.strip().lower() for h in reply.headers["access-control-allow-headers"].split(",")}
    assert "x-openai-agents-sdk" in allowed or "*" in allowed, allowed


PAGE = """<!doctype html><title>p</title><script>
async function offer(extra) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("audio");
  pc.createDataChannel("oai-events");
  await pc.setLocalDescription(await pc.createOffer());
  try {
    const r = await fetch(EMU + "/realtime/calls", {method: "POST", body: pc.localDescription.sdp,
      headers: {"Content-Type": "application/sdp", "Authorization": "Bearer sk-any", ...extra}});
    return r.status + " " + (r.headers.get("Location") || "");
  } catch (e) { return "blocked: " + e.message; } finally { pc.close(); }
}
</script>"""


async def test_a_page_using_the_agents_sdk_headers_reaches_the_emulator() -> None:
    pytest.importorskip("aiortc")
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from rtagents.testing import serve_asgi
    from tests.browser.chromium import chromium, need_chromium, run

    need_chromium()
    async with Emulator(model=ScriptedModel([])) as emu:
        page = PAGE.replace("EMU", repr(emu.http_url))
        app = Starlette(routes=[Route("/", lambda request: HTMLResponse(page))])
        async with serve_asgi(app) as url:
            with chromium() as driver:
                await run(driver, "return 1")
                import anyio

                await anyio.to_thread.run_sync(driver.get, url)
                plain = await anyio.to_thread.run_sync(
                    lambda: driver.execute_async_script("offer({}).then(arguments[0])")
                )
                sdk = await anyio.to_thread.run_sync(
                    lambda: driver.execute_async_script(
                        "offer({'X-OpenAI-Agents-SDK': 'openai-agents-sdk.realtime'}).then(arguments[0])"
                    )
                )
    assert plain.startswith("201 /v1/realtime/calls/rtc_"), plain
    assert sdk.startswith("201 /v1/realtime/calls/rtc_"), sdk

"""A sync ``authorize`` runs in anyio's *shared* worker threads (``call_either`` without a
limiter of its own), which the rest of the app uses too: Starlette's ``StaticFiles`` (the
browser page a ``CallServer`` serves with ``routes=``), sync endpoints. anyio allows 40 of
them at once. So a slow ``authorize`` (its login lookup hangs) lets anyone, unauthenticated,
hold all 40 with 40 requests to ``POST /session`` for ``authorize_timeout`` each, again and
again: the page stops being served meanwhile. docs/browser.md promises "A sync `authorize`
runs in a worker thread, so a slow one does not stall the server"; routers get threads of
their own for this very reason (``routing.Routing``, ``ROUTING_THREADS``), authorize does not.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import anyio
import httpx2
import pytest
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import rtagents
from rtagents.calls import CallerRequest, CallServer
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, recording_api

pytestmark = pytest.mark.anyio


async def test_a_slow_authorize_does_not_stall_the_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>the page</p>")
    released = threading.Event()

    def hung_login_lookup(request: CallerRequest) -> bool:
        released.wait(5)  # the app's session store stopped answering
        return False

    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=api.url,
            authorize=hung_login_lookup,
            authorize_timeout=3,
            routes=[Mount("/", StaticFiles(directory=tmp_path, html=True))],
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url, timeout=10) as http:
            assert (await http.get("/index.html")).status_code == 200
            try:
                async with anyio.create_task_group() as tg:
                    for _ in range(40):  # anyone may post here: authorize is what refuses
                        tg.start_soon(http.post, "/session")
                    await anyio.sleep(0.3)  # all 40 waiting on the lookup
                    began = time.monotonic()
                    page = await http.get("/index.html")
                    took = time.monotonic() - began
                    released.set()
            finally:
                released.set()
    assert page.status_code == 200
    assert took < 1.0, f"the page took {took:.2f} s while 40 requests waited on authorize"

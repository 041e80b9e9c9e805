"""A ``CallServer``'s ``base_url`` with a password in it (a proxy with basic auth in front of
the API: ``https://user:password@proxy/v1``) is shown in three places: httpx's INFO log of
every REST request, the ``webrtc_url`` that ``POST /session`` hands to any browser, and the
repr of ``CallsAPI``.

Right behaviour: as for ``rtagents.connect(url=...)`` and ``MCPServerHTTP`` (which register
the URL's password and show ``redact_url``), ``CallsAPI`` registers the password of its
base URL as a secret (so no log line shows it), its repr shows ``redact_url(base_url)``,
and the browser is given a ``webrtc_url`` without the userinfo.
"""

from __future__ import annotations

import logging

import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio
PASSWORD = "proxy-pass-99887766"


async def test_a_base_url_password_is_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with Emulator() as emu:
        base_url = f"http://alice:{PASSWORD}@127.0.0.1:{emu.port}/v1"
        app = CallServer(
            agent=rtagents.Agent(name="a"),
            webhook_secret=SECRET,
            api_key="sk-test-0123456789abcdef",
            base_url=base_url,
            authorize=lambda request: True,
        )
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            minted = await http.post("/session")
    assert minted.status_code == 200, minted.text
    shown = {
        "log": caplog.text,
        "browser reply": minted.text,
        "repr": repr(app) + repr(getattr(app, "api", "")),
    }
    assert [where for where, text in shown.items() if PASSWORD in text] == []

"""A token in a request's query (a page's ``/session?token=...``, which ``authorize`` reads
from ``CallerRequest.query``) reaches uvicorn's TRACE log (``uvicorn --log-level trace``):
uvicorn's ASGI message logger prints each request's scope, ``query_string`` included, and
the redaction (``rtagents._redact``: "URL passwords and query strings" in the ``uvicorn``
family) does not recognise ``'query_string': b'token=...'`` as a URL's query. Every other
level is clean (the access log shows ``/session?[redacted]``)."""

from __future__ import annotations

import logging

import httpx2
import pytest
import uvicorn

import rtagents
from rtagents._asgi import bind, start, stop
from rtagents._redact import redact
from rtagents.calls import CallServer
from tests.calls.harness import SECRET, recording_api

pytestmark = pytest.mark.anyio
TOKEN = "pagetoken0123456789abcdef"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(1)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_redact_masks_a_whole_scope_query_holding_a_quote() -> None:
    # Python shows such bytes as b"...": a pattern that stopped at the first quote let the
    # rest of the query, the token in it, be logged.
    scope = {
        "type": "http",
        "path": "/session",
        "query_string": f"n=o'brien&token={TOKEN}".encode(),
    }
    shown = redact(f"ASGI [1] Started scope={scope!r}")
    assert TOKEN not in shown, shown


@pytest.mark.parametrize("query", [f"token={TOKEN}", f"name=o'brien&token={TOKEN}"])
async def test_a_query_token_stays_out_of_uvicorns_trace_log(query: str) -> None:
    handler = _Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        async with recording_api() as api:
            app = CallServer(
                agent=rtagents.Agent(),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=api.url,
                authorize=lambda request: request.query.get("token") == TOKEN,
            )
            sock = bind("127.0.0.1", 0)
            port = sock.getsockname()[1]
            config = uvicorn.Config(app, log_config=None, log_level="trace", access_log=True)
            server, task = await start(config, sock)
            try:
                async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                    reply = await http.post(f"/session?{query}")
                    assert reply.status_code == 200, reply.text
            finally:
                await stop(server, task)
    finally:
        root.removeHandler(handler)
    assert any("/session" in line for line in handler.lines)  # the server did log the request
    leaked = [line for line in handler.lines if TOKEN in line]
    assert not leaked, leaked[0][:400]

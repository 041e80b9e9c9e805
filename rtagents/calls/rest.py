"""The calls REST API: accept, reject, refer and hang up a call (a Realtime call, ``rtc_...``,
or a GPT-Live SIP call's session, ``live_...``: each at its own API's paths); mint a browser's
client secret. One small HTTP client (``httpx``, in the tree via ``mcp``) with timeouts,
retries on 429 and 5xx with backoff, and errors that name the call and the status."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import anyio
import httpx2

from .._hosts import direct
from .._redact import (
    credential,
    given_key,
    openai_host,
    redact,
    redact_url,
    register_url_secrets,
    server_said,
    url_parts,
)
from ..errors import RtagentsError, root_cause
from .inbound import check_call_id, check_session_id

log = logging.getLogger("rtagents.calls")
OPENAI_API = "https://api.openai.com/v1"


class CallsAPIError(RtagentsError):
    """A calls API request failed; the message names the call and the HTTP status."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class CallsAPI:
    """``base_url``: the API (``https://api.openai.com/v1``) or the emulator's ``http_url``."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
    ) -> None:
        # Whitespace around it goes, as around a key (a URL read from a file ends in a newline).
        self.base_url = (base_url or OPENAI_API).strip().rstrip("/")
        register_url_secrets(self.base_url)  # (a proxy's ``user:password@`` in front of it)
        parts = url_parts(self.base_url)  # one httpx would refuse, refused now (unquoted)
        api_key = given_key(api_key)
        if api_key and parts.scheme == "http" and openai_host(parts):
            raise ValueError(
                "OpenAI's API is reached over https://: an API key never goes in the clear"
            )
        # A key with a line break in it would be echoed by httpx's header check.
        headers = {"Authorization": f"Bearer {credential('API key', api_key)}"} if api_key else {}
        self._client = httpx2.AsyncClient(
            headers=headers, timeout=timeout, mounts=direct(self.base_url)
        )
        self._retries = retries

    def __repr__(self) -> str:
        return f"<CallsAPI {redact_url(self.base_url)}>"  # never the key, nor a password

    def websocket_url(self, *, live: bool = False) -> str:
        """Where the calls' sessions are reached (Realtime's, or GPT-Live's with ``live``)."""
        scheme, _, rest = self.base_url.partition("://")
        path = "live/sessions" if live else "realtime"
        # A scheme in any case (``HTTPS://``) is TLS for httpx: the websocket too, or the
        # key would go in the clear.
        return f"{'wss' if scheme.lower() == 'https' else 'ws'}://{rest}/{path}"

    # Each call_id must be an OpenAI call id (``ValueError`` otherwise), checked before any
    # request: with the API key, ``../../files`` as an id would reach another endpoint.

    async def accept(self, call_id: str, session: dict[str, Any]) -> None:
        """Answer with ``session`` (GPT-Live's accept takes it as ``{"session": ...}``)."""
        body = {"session": session} if call_id.startswith("live_") else session
        await self._call(call_id, "accept", body, "accepting")

    async def reject(self, call_id: str, status_code: int = 603) -> None:
        await self._call(call_id, "reject", {"status_code": status_code}, "rejecting")

    async def refer(self, call_id: str, target_uri: str) -> None:
        await self._call(call_id, "refer", {"target_uri": target_uri}, "transferring")

    async def hangup(self, call_id: str) -> None:
        await self._call(call_id, "hangup", None, "hanging up")

    async def client_secret(self, session: dict[str, Any], ttl_s: int = 600) -> dict[str, Any]:
        body = {"session": session, "expires_after": {"anchor": "created_at", "seconds": ttl_s}}
        reply = await self._post("/realtime/client_secrets", body, "minting a client secret")
        try:
            data = reply.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):  # a proxy's HTML page, say
            raise CallsAPIError(
                "minting a client secret failed: the reply is not a JSON object",
                status=reply.status_code,
            )
        return data

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, call_id: str, action: str, body: Any, doing: str) -> None:
        if call_id.startswith("live_"):
            checked = quote(check_session_id(call_id), safe="")
            path = f"/live/sessions/{checked}/{action}"
        else:
            checked = quote(check_call_id(call_id), safe="")
            path = f"/realtime/calls/{checked}/{action}"
        await self._post(path, body, f"{doing} call {checked}", settles=True)

    async def _post(
        self, path: str, body: Any, what: str, *, settles: bool = False
    ) -> httpx2.Response:
        """POST with retries. ``settles``: an action on a call, which a try whose reply was
        lost may have done already; a retry the API then refuses (the call is no longer
        ringing, or gone) is taken as done by that try, and said in the log. Whatever came
        of it shows next (an accepted call's sideband connects, or the call is hung up)."""
        delay = 0.25
        unsure = False  # a try may have reached the API, its reply lost (a timeout, a 5xx)
        for attempt in range(self._retries + 1):
            try:
                reply = await self._client.post(self.base_url + path, json=body)
            except httpx2.HTTPError as exc:
                unsure = unsure or not isinstance(exc, (httpx2.ConnectError, httpx2.ConnectTimeout))
                if attempt == self._retries:
                    cause = redact(root_cause(exc, None))
                    raise CallsAPIError(f"{what} failed: {cause}") from None
            else:
                if reply.status_code < 400:
                    return reply
                refused = reply.status_code != 429 and reply.status_code < 500
                if refused and settles and unsure and _in_that_state(reply):
                    log.info(
                        "%s: HTTP %s after a try whose reply was lost: taken as done by it",
                        what,
                        reply.status_code,
                    )
                    return reply
                if refused:
                    raise CallsAPIError(
                        f"{what} failed: HTTP {reply.status_code}: {server_said(reply.content)}",
                        status=reply.status_code,
                    )
                unsure = unsure or reply.status_code >= 500
                if attempt == self._retries:
                    raise CallsAPIError(
                        f"{what} failed after {attempt + 1} tries: HTTP {reply.status_code}",
                        status=reply.status_code,
                    )
            log.info("%s: retrying in %.2f s", what, delay)
            await anyio.sleep(delay)
            delay = min(delay * 2, 4.0)
        raise AssertionError("unreachable")


def _in_that_state(reply: httpx2.Response) -> bool:
    """Whether a refusal says the call is past what was asked (gone, no longer ringing), as
    after an earlier try that did it; not a refusal of the request itself (its key, or a
    ``param`` it named: a transfer's bad target is a failure whatever came before)."""
    if reply.status_code in (404, 409):
        return True
    if reply.status_code != 400:
        return False
    try:
        error = reply.json()["error"]
    except (ValueError, KeyError, TypeError):
        return True  # no detail to say otherwise
    param = error.get("param") if isinstance(error, dict) else None
    return not param or param == "call_id"  # about the call (its state), not the request

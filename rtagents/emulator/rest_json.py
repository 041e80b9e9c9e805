"""The JSON of the emulator's REST surface (calls, client secrets, WebRTC): request bodies
read leniently, errors worded as the API words them, and routes that answer JSON."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .._asgi import UnreadBody, read_body


def route_json(
    path: str, handler: Callable[[Request], Awaitable[Any]], methods: list[str]
) -> Route:
    """A JSON route: the handler returns a JSON-able value or a ``Response``."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request)
        except _Unreadable:
            return api_error(
                400,
                "We could not parse the JSON body of your request: the API expects a JSON object.",
                None,
            )
        return result if isinstance(result, Response) else JSONResponse(result)

    return Route(path, endpoint, methods=methods)


BODY_LIMIT = 1 << 20
"""The most bytes of a request body the emulator reads (its requests are small JSON, an SDP
offer): a larger one is answered 413 before it is buffered."""


async def bounded_body(request: Request) -> bytes:
    """The request's body, at most ``BODY_LIMIT`` bytes (413 beyond; 400 for a sender gone
    before its end)."""
    try:
        return await read_body(request, BODY_LIMIT)
    except UnreadBody as exc:
        raise HTTPException(exc.status, str(exc)) from None


class _Unreadable(Exception):
    """A body that is not a JSON object: ``route_json`` answers 400, as the API does."""


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, ``{}`` for an empty body; anything else (not JSON, not an
    object, nested past the parser's depth) is answered 400 by ``route_json``."""
    body = await bounded_body(request)
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _Unreadable from None
    if not isinstance(data, dict):
        raise _Unreadable
    return data


def api_error(
    status: int,
    message: str,
    param: str | None,
    kind: str = "invalid_request_error",
    code: str | None = None,
) -> JSONResponse:
    """An error as the API answers one: ``{"error": {message, type, code, param}}`` (the
    ``code`` the websocket's ``error`` gives the same mistake, where there is one)."""
    detail = {"message": message, "type": kind, "code": code, "param": param}
    return JSONResponse({"error": detail}, status_code=status)

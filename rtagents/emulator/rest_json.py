"""The JSON of the emulator's REST surface (calls, client secrets, WebRTC): request bodies
read leniently, errors worded as the API words them, and routes that answer JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def route_json(
    path: str, handler: Callable[[Request], Awaitable[Any]], methods: list[str]
) -> Route:
    """A JSON route: the handler returns a JSON-able value or a ``Response``."""

    async def endpoint(request: Request) -> Response:
        result = await handler(request)
        return result if isinstance(result, Response) else JSONResponse(result)

    return Route(path, endpoint, methods=methods)


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; ``{}`` for anything else (its fields are then missing)."""
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def api_error(
    status: int, message: str, param: str | None, kind: str = "invalid_request_error"
) -> JSONResponse:
    """An error as the API answers one: ``{"error": {message, type, code, param}}``."""
    detail = {"message": message, "type": kind, "code": None, "param": param}
    return JSONResponse({"error": detail}, status_code=status)

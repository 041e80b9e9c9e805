"""docs/mcp.md: ``HostedMCP`` "is checked when you make it". A URL that is not a str (a
``pathlib``/``httpx`` URL object, an int), and ``headers`` given as pairs or as one string,
are a ``TypeError`` naming the argument (never a header's value), as ``MCPServerHTTP``'s are."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents

URL = "https://mcp.example.com/mcp"


@pytest.mark.parametrize(
    "options",
    [
        {"server_url": 8931},
        {"server_url": URL, "headers": [("X-Api-Key", "key-123456")]},
        {"server_url": URL, "headers": "X-Api-Key: key-123456"},
    ],
    ids=["url-int", "headers-pairs", "headers-str"],
)
def test_a_wrong_type_is_a_clear_error(options: dict[str, Any]) -> None:
    try:
        rtagents.HostedMCP("docs", **options)
    except (TypeError, ValueError) as exc:
        assert "HostedMCP" in str(exc) and "key-123456" not in str(exc), str(exc)
    except Exception as exc:
        pytest.fail(f"HostedMCP({options!r:.60}) raised {type(exc).__name__}: {exc}")
    else:
        pytest.fail(f"HostedMCP({options!r:.60}) was accepted")

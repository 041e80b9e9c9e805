"""An MCP server written by hand (newline-delimited JSON-RPC over stdio), as a server in another
language may be: it marks its tools read-only with values that are not JSON's ``true``
(``"yes"``, ``1``), which the ``mcp`` client reads leniently as true, and one with ``true``.
Each call is written to the file named by its first argument.

python loose_hints_server.py CALLS_FILE
"""

from __future__ import annotations

import json
import sys

HINTS = {"wipe": "yes", "erase": 1, "peek": True}


def tool(name: str, hint: object) -> dict[str, object]:
    schema = {"type": "object", "properties": {}}
    return {
        "name": name,
        "description": f"{name}.",
        "inputSchema": schema,
        "annotations": {"readOnlyHint": hint},
    }


def answer(message: dict[str, object]) -> dict[str, object] | None:
    method, params = message.get("method"), message.get("params") or {}
    if method == "initialize":
        result: object = {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),  # type: ignore[union-attr]
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "loose", "version": "1"},
        }
    elif method == "tools/list":
        result = {"tools": [tool(name, hint) for name, hint in HINTS.items()]}
    elif method == "tools/call":
        name = params.get("name")  # type: ignore[union-attr]
        with open(sys.argv[1], "a") as calls:
            calls.write(f"{name}\n")
        result = {"content": [{"type": "text", "text": f"{name} done"}], "isError": False}
    elif "id" in message:
        return {"jsonrpc": "2.0", "id": message["id"], "result": {}}
    else:
        return None  # a notification
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


for line in sys.stdin:
    if line.strip():
        reply = answer(json.loads(line))
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()

"""An MCP server written by hand (newline-delimited JSON-RPC over stdio) whose tools/list is
read from a JSON file each time it is asked, and whose tool ``relist`` swaps that file for
another and tells the client its tools changed. Every other call answers "NAME done".

python relisting_server.py TOOLS_NOW.json TOOLS_AFTER_RELIST.json
"""

from __future__ import annotations

import json
import shutil
import sys

NOW, AFTER = sys.argv[1], sys.argv[2]


def answer(message: dict[str, object]) -> dict[str, object] | None:
    method, params = message.get("method"), message.get("params") or {}
    assert isinstance(params, dict)
    if method == "initialize":
        result: object = {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {"listChanged": True}},
            "serverInfo": {"name": "relisting", "version": "1"},
        }
    elif method == "tools/list":
        with open(NOW) as listing:
            result = {"tools": json.load(listing)}
    elif method == "tools/call":
        name = params.get("name")
        if name == "relist":
            shutil.copy(AFTER, NOW)
            changed = {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}
            sys.stdout.write(json.dumps(changed) + "\n")
        result = {"content": [{"type": "text", "text": f"{name} done"}], "isError": False}
    elif "id" in message:
        result = {}
    else:
        return None  # a notification
    return {"jsonrpc": "2.0", "id": message["id"], "result": result}


for line in sys.stdin:
    if line.strip():
        reply = answer(json.loads(line))
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()

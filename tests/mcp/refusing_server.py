"""An MCP server written by hand (newline-delimited JSON-RPC over stdio) that refuses to start:
it answers ``initialize`` at once with an error naming its cause (argv[1])."""

from __future__ import annotations

import json
import sys

for line in sys.stdin:
    if not line.strip():
        continue
    message = json.loads(line)
    if message.get("method") == "initialize":
        error = {"code": -32603, "message": sys.argv[1]}
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "error": error}))
        sys.stdout.write("\n")
        sys.stdout.flush()

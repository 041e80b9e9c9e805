"""An MCP server that does not exit when its stdin closes (a non-daemon thread runs on),
until SIGTERM. Writes its pid to the file named by PID_FILE."""

import os
import sys
import threading
import time

from mcp_types import ToolAnnotations

from rtagents.testing import mcp_server

server = mcp_server("stubborn")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def hello() -> str:
    """Says hello."""
    return "hello"


if __name__ == "__main__":
    with open(os.environ["PID_FILE"], "w") as f:
        f.write(str(os.getpid()))
    threading.Thread(target=lambda: time.sleep(120)).start()  # keeps the process alive
    server.run("stdio")
    sys.exit(0)

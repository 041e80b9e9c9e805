"""An ``MCPServerStdio``'s environment holds secrets (a token for the server it starts):
none of the server's public attributes shows one in its repr, as its own repr and the logs
show none (an app that logs ``vars(server)``, or the object a debugger lists). Before, the
mcp package's parameters object was public (``server.params``), and its repr listed ``env``
with each value."""

from __future__ import annotations

import sys

from rtagents.mcp import MCPServerStdio

TOKEN = "mcp-env-token-5521-abcdef"


def test_no_public_attribute_shows_the_environment() -> None:
    server = MCPServerStdio(sys.executable, ["server.py"], env={"NOTES_TOKEN": TOKEN})
    public = {name: value for name, value in vars(server).items() if not name.startswith("_")}
    shown = [name for name, value in public.items() if TOKEN in repr(value)]
    assert shown == [], f"public attributes that show the token: {shown}"
    assert TOKEN not in repr(server)

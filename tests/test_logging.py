"""Making an in-process MCP server leaves the app's logging as it was."""

from __future__ import annotations

import subprocess
import sys


def test_making_an_mcp_server_does_not_configure_logging() -> None:
    program = (
        "import logging\n"
        "from rtagents.testing import mcp_server\n"
        "server = mcp_server('quiet')\n"
        "root = logging.getLogger()\n"
        "print(root.level, len(root.handlers))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.stdout.split() == [str(30), "0"], result.stderr  # WARNING, no handler


def test_the_demo_prints_no_library_info_lines() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rtagents", "demo"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "HTTP Request" not in result.stdout + result.stderr
